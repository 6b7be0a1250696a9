import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { clientError, ErrorCode } from '@lgr/schema';
import { dialectOf, runBound, runStatement } from './run-sql';
import { WRITE_LOCK_KEY, WriteCounts } from './store';
import {
  discardStageStatements,
  expireStagesStatements,
  postgresCommitStatement,
  sqliteCommitStatements,
  stageInsertStatement,
} from './store-sql';
import type { ValidRow } from './validation';

/*
 * Staged ingest runs. A client that must write a whole file or nothing sends it batch by batch to be
 * validated and staged under a run id of its choosing, then commits the run: one transaction writes
 * every staged row and appends the feed, all in SQL. The file crosses the network once, where a dry
 * run of every batch followed by the writes would send it twice.
 */

/** What a run id may look like: chosen by the client (a UUID, say), so checked like any input. */
export const RUN_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A run is dropped this long after it started (when a later run starts): its rows, or its counts once committed. */
export const STAGE_RUN_LIFETIME_MS = 24 * 3600_000;

/**
 * Runs one identity may have open (staged, not committed) at once. Staging is not bounded by the key
 * space as writes are (a run may stage a key again), so an identity's open runs are.
 */
export const MAX_OPEN_RUNS = 16;

/** Rows per staging statement: each binds its rows as one JSON text. */
const STAGE_CHUNK = 10_000;

/** Who stages a run, and the unit catalogue its rows are validated against. */
export interface StageOwner {
  /** A digest of the identity (see {@link ownerOf}). */
  readonly owner: string;
  /** The digest of the current unit catalogue. */
  readonly catalogue: string;
}

/** A digest of an identity: the same subject with the same role and units gets the same owner. */
export function ownerOf(identity: { sub: string; role: string; units: readonly string[] }): string {
  return createHash('sha256')
    .update(JSON.stringify([identity.sub, identity.role, [...identity.units].sort()]))
    .digest('hex');
}

interface RunRow {
  readonly owner: string;
  readonly catalogue: string;
  readonly committed: WriteCounts | null;
}

/**
 * The run's row, if there is one. On PostgreSQL it is locked until the transaction ends, so that two
 * commits of one run happen one after the other.
 */
async function readRun(em: EntityManager, runId: string): Promise<RunRow | undefined> {
  const lock = dialectOf(em) === 'postgresql' ? ' for update' : '';
  const [run] = await runBound(
    em,
    `select owner, catalogue, committed_at, inserted, updated, unchanged from observation_stage_run where run_id = ?${lock}`,
    [runId],
  );
  if (!run) return undefined;
  const committed =
    run.committed_at === null
      ? null
      : { inserted: Number(run.inserted), updated: Number(run.updated), unchanged: Number(run.unchanged) };
  return { owner: String(run.owner), catalogue: String(run.catalogue), committed };
}

/** Only the identity that started a run may add to it, commit it or discard it. */
function assertOwner(runId: string, run: RunRow, who: Pick<StageOwner, 'owner'>): void {
  if (run.owner !== who.owner)
    throw clientError(ErrorCode.FORBIDDEN, `The ingest run "${runId}" was started by another identity`, {
      argument: 'run',
    });
}

/** The caller's run, or RUN_NOT_FOUND (FORBIDDEN when it is another identity's). */
async function runOf(em: EntityManager, runId: string, who: Pick<StageOwner, 'owner'>): Promise<RunRow> {
  const run = await readRun(em, runId);
  if (!run)
    throw clientError(
      ErrorCode.RUN_NOT_FOUND,
      `No ingest run "${runId}" is staged here: it was discarded or expired, or never started`,
      { argument: 'run' },
    );
  assertOwner(runId, run, who);
  return run;
}

/** Staged rows are written only against the unit catalogue they were checked against. */
function assertCatalogue(runId: string, run: RunRow, who: StageOwner): void {
  if (run.catalogue !== who.catalogue)
    throw clientError(
      ErrorCode.RUN_CONFLICT,
      `The unit catalogue changed since the ingest run "${runId}" started; discard it and ingest again`,
      { argument: 'run' },
    );
}

/** Starts the run on its first batch (dropping expired runs of anyone), or checks that it is the caller's. */
async function openRun(em: EntityManager, runId: string, who: StageOwner, now: Date): Promise<void> {
  let run = await readRun(em, runId);
  if (!run) {
    for (const s of expireStagesStatements(new Date(now.getTime() - STAGE_RUN_LIFETIME_MS).toISOString()))
      await runStatement(em, s);
    const [{ n } = { n: 0 }] = await runBound(
      em,
      'select count(*) as n from observation_stage_run where owner = ? and committed_at is null',
      [who.owner],
    );
    if (Number(n) >= MAX_OPEN_RUNS)
      throw clientError(
        ErrorCode.RUN_CONFLICT,
        `You have ${MAX_OPEN_RUNS} ingest runs open already; commit or discard one before starting another (a run left by an ingest that was killed is dropped a day after it started)`,
        { argument: 'run' },
      );
    // Two first batches of one run at once: one inserts, both then read the row.
    await runBound(
      em,
      'insert into observation_stage_run (run_id, owner, catalogue, started_at) values (?, ?, ?, ?) on conflict (run_id) do nothing',
      [runId, who.owner, who.catalogue, now.toISOString()],
    );
    run = (await readRun(em, runId))!;
  }
  assertOwner(runId, run, who);
  if (run.committed)
    throw clientError(ErrorCode.RUN_CONFLICT, `The ingest run "${runId}" is committed; start a new run`, {
      argument: 'run',
    });
  assertCatalogue(runId, run, who);
}

/**
 * Adds validated rows to the run `runId`, starting it on its first batch; nothing is visible until
 * {@link commitStage}. Refused when the run belongs to another identity or was started against another
 * unit catalogue.
 */
export async function stageObservations(
  em: EntityManager,
  runId: string,
  who: StageOwner,
  rows: readonly ValidRow[],
  now: Date = new Date(),
): Promise<void> {
  await em.transactional(async (tx) => {
    await openRun(tx, runId, who, now);
    for (let i = 0; i < rows.length; i += STAGE_CHUNK)
      await runStatement(tx, stageInsertStatement(dialectOf(tx), runId, rows.slice(i, i + STAGE_CHUNK)));
  });
}

/**
 * Writes every row staged in `runId` in one transaction, appends the feed rows of the keys that
 * changed (in key order), and drops the staged rows. Where a run staged one key twice, the later row
 * counts. The run keeps its counts: committing it again (a client whose first commit timed out)
 * writes nothing and answers the same.
 */
export async function commitStage(
  em: EntityManager,
  runId: string,
  who: StageOwner,
  now: string = new Date().toISOString(),
): Promise<WriteCounts> {
  return em.transactional(async (tx) => {
    const run = await runOf(tx, runId, who);
    if (run.committed) return run.committed;
    assertCatalogue(runId, run, who);
    const counts =
      dialectOf(tx) === 'postgresql' ? await commitOnPostgres(tx, runId, now) : await commitOnSqlite(tx, runId, now);
    await runBound(tx, 'delete from observation_stage where run_id = ?', [runId]);
    await runBound(
      tx,
      'update observation_stage_run set committed_at = ?, inserted = ?, updated = ?, unchanged = ? where run_id = ?',
      [now, counts.inserted, counts.updated, counts.unchanged, runId],
    );
    return counts;
  });
}

async function commitOnSqlite(em: EntityManager, runId: string, now: string): Promise<WriteCounts> {
  // SQLite runs one write at a time: ids above the largest before this write are new keys, feed
  // numbers above the last one before it are this write's changes.
  const [before] = await runBound(
    em,
    'select (select coalesce(max(id), 0) from observation) as id, (select coalesce(max(seq), 0) from observation_feed) as seq',
    [],
  );
  const { drop, copy, feed, upsert, count } = sqliteCommitStatements(runId, now);
  for (const s of [drop, copy, feed, upsert]) await runStatement(em, s);
  const [{ n: staged } = { n: 0 }] = await runStatement(em, count);
  const [after] = await runBound(
    em,
    'select (select count(*) from observation where id > ?) as inserted, (select count(*) from observation_feed where seq > ?) as changed',
    [before!.id, before!.seq],
  );
  await runStatement(em, drop);
  const inserted = Number(after!.inserted);
  const changed = Number(after!.changed);
  return { inserted, updated: changed - inserted, unchanged: Number(staged) - changed };
}

async function commitOnPostgres(em: EntityManager, runId: string, now: string): Promise<WriteCounts> {
  // The feed's commit-order lock (see WRITE_LOCK_KEY in store.ts), taken before the feed rows get their seq.
  await runBound(em, 'select pg_advisory_xact_lock(?)', [WRITE_LOCK_KEY]);
  const [row] = await runStatement(em, postgresCommitStatement(runId, now));
  const staged = Number(row?.staged ?? 0);
  const changed = Number(row?.changed ?? 0);
  const inserted = Number(row?.inserted ?? 0);
  return { inserted, updated: changed - inserted, unchanged: staged - changed };
}

/**
 * Drops a run and its staged rows; false when there was nothing to drop (no such run, or a committed
 * one, which keeps its counts). Only its owner may discard it.
 */
export async function discardStage(em: EntityManager, runId: string, who: Pick<StageOwner, 'owner'>): Promise<boolean> {
  return em.transactional(async (tx) => {
    const run = await readRun(tx, runId);
    if (!run) return false;
    assertOwner(runId, run, who);
    if (run.committed) return false;
    for (const s of discardStageStatements(runId)) await runStatement(tx, s);
    return true;
  });
}
