import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One recorded figure and/or target: (indicator, unit version, period) -> value, target. The value and
 * the target are independent: a row written with only a value leaves the stored target alone.
 * Timestamps are ISO strings so that SQLite and PostgreSQL store and compare them the same way.
 */
@Entity({ tableName: 'observation' })
@Unique({ name: 'observation_key', properties: ['indicator', 'unitId', 'period'] })
@Index({ name: 'observation_unit', properties: ['unitId', 'period'] })
export class Observation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  indicator!: string;

  @Property({ type: 'string', length: 32 })
  unitId!: string;

  @Property({ type: 'string', length: 16 })
  period!: string;

  @Property({ type: 'double', nullable: true })
  value: number | null = null;

  @Property({ type: 'double', nullable: true })
  target: number | null = null;

  @Property({ type: 'string', length: 32 })
  updatedAt!: string;
}

/**
 * The change feed: one row per key whose stored value or target changed, carrying the full new state,
 * in commit order. Analytics reads it from a cursor (`seq`).
 */
@Entity({ tableName: 'observation_feed' })
export class FeedEntry {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  seq!: number;

  @Property({ type: 'string', length: 64 })
  indicator!: string;

  @Property({ type: 'string', length: 32 })
  unitId!: string;

  @Property({ type: 'string', length: 16 })
  period!: string;

  @Property({ type: 'double', nullable: true })
  value: number | null = null;

  @Property({ type: 'double', nullable: true })
  target: number | null = null;

  @Property({ type: 'string', length: 32 })
  updatedAt!: string;
}

/**
 * An ingest run being staged: figures sent batch by batch are held in `observation_stage` under the
 * run's id and written together by one commit (see `commitStage`). The run belongs to the identity
 * that staged it and to the unit catalogue its rows were validated against.
 */
@Entity({ tableName: 'observation_stage_run' })
export class StageRun {
  @PrimaryKey({ type: 'string', length: 64 })
  runId!: string;

  /** A digest of the staging identity (subject, role and units): only the same identity commits. */
  @Property({ type: 'string', length: 64 })
  owner!: string;

  /** The digest of the unit catalogue the rows were validated against. */
  @Property({ type: 'string', length: 64 })
  catalogue!: string;

  /** When the run was started (ISO 8601); runs are dropped a day after they started. */
  @Property({ type: 'string', length: 32 })
  startedAt!: string;

  /** When the run was committed; its counts are kept so that a repeated commit answers the same. */
  @Property({ type: 'string', length: 32, nullable: true })
  committedAt: string | null = null;

  @Property({ type: 'integer', nullable: true })
  inserted: number | null = null;

  @Property({ type: 'integer', nullable: true })
  updated: number | null = null;

  @Property({ type: 'integer', nullable: true })
  unchanged: number | null = null;
}

/** A validated figure waiting in a staged run; a later row of the same key in a run replaces an earlier one. */
@Entity({ tableName: 'observation_stage' })
@Index({ name: 'observation_stage_run_id_index', properties: ['runId'] })
export class StagedObservation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 64 })
  runId!: string;

  @Property({ type: 'string', length: 64 })
  indicator!: string;

  @Property({ type: 'string', length: 32 })
  unitId!: string;

  @Property({ type: 'string', length: 16 })
  period!: string;

  @Property({ type: 'double', nullable: true })
  value: number | null = null;

  @Property({ type: 'double', nullable: true })
  target: number | null = null;
}

/** The entities every domain subgraph stores, besides its own domain records. */
export const OBSERVATION_ENTITIES = [Observation, FeedEntry, StageRun, StagedObservation];
