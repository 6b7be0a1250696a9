import { EntityManager } from '@mikro-orm/core';
import { Domain, ObservationRecord, Term, UnitCatalog } from '@lgr/schema';
import { StageOwner, stageObservations } from './stage';
import { previewObservations, StoredObservation, upsertObservations, WriteCounts } from './store';
import { RowProblem, validateObservations } from './validation';

export interface RecordOptions {
  readonly domain: Domain;
  readonly catalog: UnitCatalog;
  /** Units the caller may write; omitted for the platform's own loads. */
  readonly canWrite?: (unitId: string) => boolean;
  /** Validate (and count what would change) without writing. */
  readonly dryRun?: boolean;
  readonly terms?: readonly Term[];
}

export interface RecordResult extends WriteCounts {
  readonly ok: boolean;
  readonly errors: RowProblem[];
  /** The new state of each changed key (empty for a dry run or a refused batch). */
  readonly changes: StoredObservation[];
}

/**
 * Validates a batch and writes it in one transaction, or writes nothing and returns every problem.
 * A dry run validates and reports what would be inserted, updated or left unchanged.
 */
export async function recordObservations(
  em: EntityManager,
  records: readonly ObservationRecord[],
  options: RecordOptions,
): Promise<RecordResult> {
  const { rows, errors } = validateObservations(records, options);
  if (errors.length) return { ok: false, inserted: 0, updated: 0, unchanged: 0, errors, changes: [] };
  if (options.dryRun) return { ok: true, ...(await previewObservations(em, rows)), errors: [], changes: [] };
  const result = await em.transactional((tx) => upsertObservations(tx, rows));
  return { ok: true, ...result, errors: [] };
}

export interface StageResult {
  readonly ok: boolean;
  /** Rows added to the run (all of the batch, or none when a row is bad). */
  readonly staged: number;
  readonly errors: RowProblem[];
}

/**
 * Validates a batch like {@link recordObservations} and, when every row is good, adds it to the staged
 * run `runId` (see `stageObservations`); a batch with a bad row stages nothing and returns every problem.
 */
export async function stageRecords(
  em: EntityManager,
  runId: string,
  who: StageOwner,
  records: readonly ObservationRecord[],
  options: Omit<RecordOptions, 'dryRun'>,
): Promise<StageResult> {
  const { rows, errors } = validateObservations(records, options);
  if (errors.length) return { ok: false, staged: 0, errors };
  await stageObservations(em, runId, who, rows);
  return { ok: true, staged: rows.length, errors: [] };
}
