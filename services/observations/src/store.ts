import { EntityManager } from '@mikro-orm/core';
import type { FeedChange } from '@lgr/schema';
import { dialectOf, Row, runBound, sql } from './run-sql';
import { feedInsertStatement, keyLookupStatement, StoreDialect, upsertStatement } from './store-sql';
import { observationKey, ValidRow } from './validation';

/** A stored figure as the feed and the GraphQL API report it. */
export interface StoredObservation {
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
  readonly updatedAt: string;
}

export interface WriteCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

export interface WriteResult extends WriteCounts {
  /** The new state of every key that changed, in the order they were appended to the feed. */
  readonly changes: StoredObservation[];
}

/** Rows per INSERT statement on PostgreSQL: large enough to load the demo data quickly, 3,000 parameters. */
const CHUNK = 500;

/** Rows per statement on SQLite, where a statement binds its rows as one JSON text (bounds its size). */
const SQLITE_CHUNK = 10_000;

/**
 * The lock a write transaction takes on PostgreSQL just before it appends its feed rows, held until
 * it commits. Feed rows get their `seq` when inserted but become visible when committed; if two
 * transactions interleaved there, a reader could see seq 11 committed before seq 10 and move its
 * cursor past a change it never saw. Under the lock, feed rows are numbered in commit order, across
 * every replica of the service (advisory locks belong to the database), so `seq > cursor` never skips.
 * The upserts before it run concurrently (SQLite serialises whole writes anyway).
 */
export const WRITE_LOCK_KEY = 7_310_442_001;

function toNumberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function toStored(r: Row): StoredObservation {
  return {
    indicator: String(r.indicator),
    unitId: String(r.unit_id),
    period: String(r.period),
    value: toNumberOrNull(r.value),
    target: toNumberOrNull(r.target),
    updatedAt: String(r.updated_at),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function sortByKey<T extends { indicator: string; unitId: string; period: string }>(rows: readonly T[]): T[] {
  // Each key is built once, not twice per comparison: a 5,000-row batch makes ~120,000 comparisons.
  const keyed = rows.map((row) => ({ key: observationKey(row), row }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.row);
}

/**
 * Writes validated rows and appends one feed row per key that changed. Must run inside a transaction
 * (pass the transaction's EntityManager) so that the rows and their feed entries commit together or
 * not at all. Each key is upserted with `ON CONFLICT`: a row without a value keeps the stored value,
 * one without a target keeps the stored target, and a row that would change nothing is not touched
 * (no new `updatedAt`, no feed row). Because the merge happens inside the database, concurrent
 * batches cannot lose each other's updates.
 */
export async function upsertObservations(
  em: EntityManager,
  rows: readonly ValidRow[],
  now: string = new Date().toISOString(),
): Promise<WriteResult> {
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0, changes: [] };
  const changed = await upsertRows(em, rows, now);
  const inserted = changed.filter((c) => c.inserted).length;
  const changes = sortByKey(changed.map((c) => c.row));
  await appendFeed(em, changes);
  return { inserted, updated: changed.length - inserted, unchanged: rows.length - changed.length, changes };
}

/** Upserts every row (see {@link upsertObservations}); returns the rows that changed and whether each is new. */
async function upsertRows(
  em: EntityManager,
  rows: readonly ValidRow[],
  now: string,
): Promise<{ inserted: boolean; row: StoredObservation }[]> {
  const dialect = dialectOf(em);
  // PostgreSQL says per row whether it was inserted (xmax is 0 only for a new row version made by an
  // insert), which stays right while other transactions write concurrently. SQLite runs one write at
  // a time, so there an id above the largest one before this write is a new row.
  let before = 0;
  if (dialect === 'sqlite') {
    const [{ max_id: maxBefore } = { max_id: 0 }] = await runBound(
      em,
      'select coalesce(max(id), 0) as max_id from observation',
      [],
    );
    before = Number(maxBefore);
  }
  const changed: { inserted: boolean; row: StoredObservation }[] = [];
  for (const part of chunks(sortByKey(rows), chunkSize(dialect))) {
    const { sql: text, params } = upsertStatement(dialect, part, now);
    for (const r of await runBound(em, text, params))
      changed.push({ inserted: dialect === 'postgresql' ? r.fresh === true : Number(r.id) > before, row: toStored(r) });
  }
  return changed;
}

/** Appends the feed rows of a write, numbered in commit order (see {@link WRITE_LOCK_KEY}). */
async function appendFeed(em: EntityManager, changes: readonly StoredObservation[]): Promise<void> {
  if (!changes.length) return;
  const dialect = dialectOf(em);
  if (dialect === 'postgresql') await runBound(em, 'select pg_advisory_xact_lock(?)', [WRITE_LOCK_KEY]);
  for (const part of chunks(changes, chunkSize(dialect))) {
    const { sql: text, params } = feedInsertStatement(dialect, part);
    await runBound(em, text, params);
  }
}

/** Rows per statement: SQLite takes a batch as one bound JSON text, PostgreSQL 6 parameters a row. */
function chunkSize(dialect: StoreDialect): number {
  return dialect === 'sqlite' ? SQLITE_CHUNK : CHUNK;
}

/** Keys per lookup of a dry run: 3 bound values each, far below every driver's limit on parameters. */
const KEY_CHUNK = 1000;

/**
 * What {@link upsertObservations} would do with these rows, without writing anything (dry runs).
 * Only the stored rows of the batch's own keys are read, not every figure of its units.
 */
export async function previewObservations(em: EntityManager, rows: readonly ValidRow[]): Promise<WriteCounts> {
  const stored = new Map<string, StoredObservation>();
  for (const part of chunks(rows, KEY_CHUNK)) {
    for (const s of await findObservationKeys(em, part)) stored.set(observationKey(s), s);
  }
  let inserted = 0;
  let updated = 0;
  for (const r of rows) {
    const s = stored.get(observationKey(r));
    if (!s) inserted++;
    else if ((r.value !== null && r.value !== s.value) || (r.target !== null && r.target !== s.target)) updated++;
  }
  return { inserted, updated, unchanged: rows.length - inserted - updated };
}

/** The stored figures of exactly these keys (those stored; a key without a figure is left out). */
async function findObservationKeys(
  em: EntityManager,
  keys: readonly { indicator: string; unitId: string; period: string }[],
): Promise<StoredObservation[]> {
  if (!keys.length) return [];
  const { sql: text, params } = keyLookupStatement(dialectOf(em), keys);
  const rows = await runBound(em, text, params);
  return rows.map(toStored);
}

/** Stored figures of the given unit versions, optionally only one period and some indicators. */
export async function findObservations(
  em: EntityManager,
  unitIds: readonly string[],
  filter: { period?: string | undefined; indicators?: readonly string[] | undefined },
): Promise<StoredObservation[]> {
  if (!unitIds.length || (filter.indicators && !filter.indicators.length)) return [];
  const where = [`unit_id in (${unitIds.map(() => '?').join(', ')})`];
  const params: unknown[] = [...unitIds];
  if (filter.period !== undefined) {
    where.push('period = ?');
    params.push(filter.period);
  }
  if (filter.indicators) {
    where.push(`indicator in (${filter.indicators.map(() => '?').join(', ')})`);
    params.push(...filter.indicators);
  }
  const rows = (await sql(em).execute(
    `select indicator, unit_id, period, value, target, updated_at from observation where ${where.join(' and ')} order by unit_id, indicator, period`,
    params,
  )) as Row[];
  return rows.map(toStored);
}

/** One page of the change feed after `after`, and whether more follow. */
export async function readFeed(
  em: EntityManager,
  after: number,
  limit: number,
): Promise<{ changes: FeedChange[]; hasMore: boolean }> {
  const rows = await runBound(
    em,
    'select seq, indicator, unit_id, period, value, target, updated_at from observation_feed where seq > ? order by seq limit ?',
    [after, limit + 1],
  );
  const hasMore = rows.length > limit;
  return { changes: rows.slice(0, limit).map((r) => ({ seq: Number(r.seq), ...toStored(r) })), hasMore };
}

/** Number of stored figures and the last feed sequence number. */
export async function storeStats(em: EntityManager): Promise<{ observations: number; lastSeq: number }> {
  const db = sql(em);
  const [o] = (await db.execute('select count(*) as n from observation')) as Row[];
  const [f] = (await db.execute('select coalesce(max(seq), 0) as s from observation_feed')) as Row[];
  return { observations: Number(o?.n ?? 0), lastSeq: Number(f?.s ?? 0) };
}
