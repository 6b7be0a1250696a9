import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { clientError, ErrorCode, FeedChange, tryParsePeriod, UnitCatalog } from '@lgr/schema';
import { appendRows } from './append';
import { inTransaction, queryRows, runStatement } from './exec';
import { ensureLayout } from './layout';
import { calendarRows, catalogRows, indicatorRows, Row } from './rows';
import {
  CALENDAR_COLUMNS,
  CALENDAR_TABLE,
  CATALOG_LAYOUT_VERSION,
  dropCatalogTablesStatements,
  clearCatalogStatements,
  clearReferenceStatements,
  clearStagingStatement,
  CLOSURE_COLUMNS,
  CLOSURE_TABLE,
  CONTRIBUTION_COLUMNS,
  CONTRIBUTION_TABLE,
  countsStatement,
  createSchemaStatements,
  createStagingStatement,
  FACT_TABLE,
  INDICATOR_COLUMNS,
  INDICATOR_TABLE,
  irregularIndicatorsStatement,
  LINEAGE_COLUMNS,
  LINEAGE_TABLE,
  MONTH_SOURCE_COLUMNS,
  MONTH_SOURCE_TABLE,
  readCursorStatement,
  readMetaStatement,
  setCursorStatement,
  STAGING_COLUMNS,
  STAGING_TABLE,
  UNIT_COLUMNS,
  UNIT_TABLE,
  upsertFactsStatement,
  writeMetaStatement,
} from './sql';

/** Options of {@link AnalyticsStore.open}. */
export interface StoreOptions {
  /** DuckDB worker threads (default: DuckDB's own choice, the number of cores). */
  threads?: number;
  /** Idle connections kept for reuse by `withConnection(fn, { reuse: true })` (default 8). */
  idleConnections?: number;
}

/** Options of {@link AnalyticsStore.withConnection}. */
export interface ConnectionOptions {
  /** Interrupts the running statement after this long and throws a TIMEOUT client error. */
  timeoutMs?: number;
  /**
   * Takes an idle connection kept from an earlier call, and keeps this one for a later call when fn
   * succeeds, with whatever fn left on it (temporary tables). Only for callers that leave it as they
   * would want to find it: no open transaction, no data of their own.
   */
  reuse?: boolean;
}

/** The `store_meta` key of the digest of the catalogue the unit tables hold. */
export const CATALOG_DIGEST = 'catalog_digest';
const CATALOG_LAYOUT = 'catalog_layout';

function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** A feed change as a staging row; a period code that does not parse is kept but never aggregated. */
export function stagingRow(change: FeedChange): Row {
  const period = tryParsePeriod(change.period);
  return [
    change.indicator,
    change.unitId,
    period?.code ?? change.period,
    period?.grain ?? null,
    period?.startMonth ?? null,
    period?.endMonth ?? null,
    finiteOrNull(change.value),
    finiteOrNull(change.target),
    BigInt(Math.trunc(change.seq)),
    change.updatedAt ?? null,
  ];
}

/**
 * The analytics star schema in DuckDB (tables in README.md): facts upserted from the domain feeds,
 * the unit catalogue with its hierarchy closure, lineage and rule-4 contributions, and the feed
 * cursors. Writes are serialised; reads run on connections of their own and see committed state.
 */
export class AnalyticsStore {
  private writeChain: Promise<unknown> = Promise.resolve();
  private readonly active = new Set<Promise<void>>();
  private readonly idle: DuckDBConnection[] = [];
  private closed = false;
  private changes = 0;
  private irregular: ReadonlySet<string> = new Set();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private digest: string | null,
    private readonly maxIdle: number,
    /** Why the store was emptied at open (another layout), or an empty list. */
    readonly rebuiltBecause: readonly string[],
  ) {}

  /** Opens (creating when missing) a store at a file path, or in memory for `':memory:'`. */
  static async open(path: string, options: StoreOptions = {}): Promise<AnalyticsStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const config: Record<string, string> = {};
    if (options.threads !== undefined) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(path, config);
    let writer: DuckDBConnection | undefined;
    try {
      writer = await instance.connect();
      const w = writer;
      const rebuiltBecause = await inTransaction(w, () => ensureLayout(w));
      const layout = await queryRows(w, readMetaStatement(CATALOG_LAYOUT));
      if (!layout.length || layout[0]!.value !== CATALOG_LAYOUT_VERSION) {
        await inTransaction(w, async () => {
          for (const s of dropCatalogTablesStatements()) await runStatement(w, s);
          for (const s of createSchemaStatements()) await runStatement(w, s);
          await runStatement(w, writeMetaStatement(CATALOG_LAYOUT, CATALOG_LAYOUT_VERSION));
        });
      }
      await runStatement(w, createStagingStatement());
      await inTransaction(w, async () => {
        for (const s of clearReferenceStatements()) await runStatement(w, s);
        await appendRows(w, CALENDAR_TABLE, CALENDAR_COLUMNS, calendarRows());
        await appendRows(w, INDICATOR_TABLE, INDICATOR_COLUMNS, indicatorRows());
      });
      const meta = await queryRows(w, readMetaStatement(CATALOG_DIGEST));
      const store = new AnalyticsStore(
        instance,
        w,
        meta.length ? String(meta[0]!.value) : null,
        options.idleConnections ?? 8,
        rebuiltBecause,
      );
      store.irregular = await irregularIndicators(w, FACT_TABLE);
      return store;
    } catch (error) {
      writer?.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /**
   * Replaces units, hierarchy closure, lineage and rule-4 contributions in one transaction when the
   * catalogue digest differs from the stored one; returns whether it changed anything.
   */
  async syncCatalog(catalog: UnitCatalog): Promise<boolean> {
    const digest = catalog.digest();
    if (digest === this.digest) return false;
    return this.exclusive(async () => {
      if (digest === this.digest) return false;
      const rows = catalogRows(catalog);
      const w = this.writer;
      const irregular = await inTransaction(w, async () => {
        for (const s of clearCatalogStatements()) await runStatement(w, s);
        await appendRows(w, UNIT_TABLE, UNIT_COLUMNS, rows.units);
        await appendRows(w, CLOSURE_TABLE, CLOSURE_COLUMNS, rows.closure);
        await appendRows(w, LINEAGE_TABLE, LINEAGE_COLUMNS, rows.lineage);
        await appendRows(w, CONTRIBUTION_TABLE, CONTRIBUTION_COLUMNS, rows.contributions);
        await appendRows(w, MONTH_SOURCE_TABLE, MONTH_SOURCE_COLUMNS, rows.monthSources);
        await runStatement(w, writeMetaStatement(CATALOG_DIGEST, digest));
        // Which units are leaves, and since when, may have changed.
        return irregularIndicators(w, FACT_TABLE);
      });
      this.digest = digest;
      this.irregular = irregular;
      this.changes += 1;
      return true;
    });
  }

  /**
   * Grows by one after every committed write that changed the stored facts or units (a replayed feed
   * batch changes nothing and leaves it alone). Read before a query's transaction begins, it names a
   * state no older than the one the query sees, so answers can be kept under it.
   */
  get version(): number {
    return this.changes;
  }

  /**
   * The indicators with a stored value that leaves' months summed do not account for (a value for a
   * longer period, at a unit with children, or before its unit existed), or that had one since the
   * store opened or its catalogue last changed. It changes only with {@link version}: read both
   * before a query and the version again after it to know that the query saw no other facts.
   */
  get irregularIndicators(): ReadonlySet<string> {
    return this.irregular;
  }

  /** The digest of the catalogue the store holds, or null before the first sync. */
  catalogDigest(): string | null {
    return this.digest;
  }

  /**
   * Upserts the facts of `changes` (keyed by indicator, unitId, period; full new state) and sets the
   * source's cursor to lastSeq, in one transaction; replaying a batch changes nothing.
   */
  async applyChanges(source: string, changes: readonly FeedChange[], lastSeq: number): Promise<void> {
    await this.exclusive(async () => {
      const w = this.writer;
      const { changed, irregular } = await inTransaction(w, async () => {
        let n = 0;
        let found: ReadonlySet<string> = new Set();
        if (changes.length) {
          await runStatement(w, clearStagingStatement());
          await appendRows(w, STAGING_TABLE, STAGING_COLUMNS, changes.map(stagingRow), true);
          found = await irregularIndicators(w, STAGING_TABLE);
          n = await runStatement(w, upsertFactsStatement(source));
          await runStatement(w, clearStagingStatement());
        }
        await runStatement(w, setCursorStatement(source, lastSeq));
        return { changed: n, irregular: found };
      });
      // Only after the commit, with the version: a reader that sees the new version also sees the new
      // facts. An indicator stays irregular until the next catalogue sync or open counts again.
      if (changed === 0) return;
      if (irregular.size) this.irregular = new Set([...this.irregular, ...irregular]);
      this.changes += 1;
    });
  }

  /** The last sequence number applied from `source`; 0 when unknown. */
  async cursor(source: string): Promise<number> {
    const rows = await this.withConnection((c) => queryRows(c, readCursorStatement(source)));
    return rows.length ? Number(rows[0]!.seq) : 0;
  }

  /** Facts holding a value or a target, and unit versions. */
  async counts(): Promise<{ facts: number; units: number }> {
    const rows = await this.withConnection((c) => queryRows(c, countsStatement()));
    return { facts: Number(rows[0]!.facts), units: Number(rows[0]!.units) };
  }

  /**
   * A fresh connection for fn, closed in finally (with `reuse`, one kept from an earlier call, kept
   * again when fn succeeds); if timeoutMs passes, the running statement is interrupted
   * (connection.interrupt()) and a TIMEOUT client error is thrown.
   */
  async withConnection<T>(
    fn: (connection: DuckDBConnection) => Promise<T>,
    options: ConnectionOptions = {},
  ): Promise<T> {
    if (this.closed) throw new Error('The analytics store is closed');
    const connection = (options.reuse && this.idle.pop()) || (await this.instance.connect());
    const work = Promise.resolve().then(() => fn(connection));
    let failed = false;
    const settled = work.then(
      () => undefined,
      () => {
        failed = true;
      },
    );
    this.active.add(settled);
    let timer: NodeJS.Timeout | undefined;
    let repeat: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeoutMs = options.timeoutMs;
    const timeoutError = () =>
      clientError(ErrorCode.TIMEOUT, `The query ran longer than its limit of ${timeoutMs} ms and was stopped`, {
        timeoutMs,
      });
    try {
      if (!timeoutMs || timeoutMs <= 0) return await work;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          // A statement that starts after this interrupt would run to its end, so interrupt again
          // until fn gives up.
          connection.interrupt();
          repeat = setInterval(() => connection.interrupt(), 10);
          reject(timeoutError());
        }, timeoutMs);
      });
      return await Promise.race([work, timeout]);
    } catch (error) {
      if (timedOut) throw timeoutError();
      throw error;
    } finally {
      clearTimeout(timer);
      // The connection is closed only once fn has stopped, never under a running statement.
      await settled;
      clearInterval(repeat);
      this.active.delete(settled);
      // A connection whose work failed or was interrupted may hold a half-finished state: never reused.
      if (options.reuse && !failed && !timedOut && !this.closed && this.idle.length < this.maxIdle)
        this.idle.push(connection);
      else connection.closeSync();
    }
  }

  /** Waits for running work, then closes every connection and the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    await Promise.all([...this.active]);
    for (const connection of this.idle.splice(0)) connection.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }

  /** Runs write operations one at a time, in the order they were asked for. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The analytics store is closed'));
    const result = this.writeChain.then(fn, fn);
    this.writeChain = result.catch(() => undefined);
    return result;
  }
}

async function irregularIndicators(
  connection: DuckDBConnection,
  table: typeof FACT_TABLE | typeof STAGING_TABLE,
): Promise<Set<string>> {
  const rows = await queryRows(connection, irregularIndicatorsStatement(table));
  return new Set(rows.map((r) => String(r.indicator)));
}
