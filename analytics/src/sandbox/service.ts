import { DuckDBAppender } from '@duckdb/node-api';
import { CatalogSource, currentCatalog, Identity, mayRunSql, Scope } from '@lgr/kit';
import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';
import { AnalyticsStore, queryRows } from '../store';
import { appendRows, indicatorRows, periodRows, periodYears, storeFactsStatement, storePeriodsStatement, unitRows, unitTreeRows } from './data';
import { SqlRejection } from './guard';
import { Semaphore } from './lock';
import { ResultSink, RunLimits, RunSummary, Sandbox, SandboxQueryError, SandboxTimeoutError } from './sandbox';

export interface AnalystSqlOptions {
  readonly store: AnalyticsStore;
  readonly catalog: CatalogSource;
  /** Grows whenever the store's facts or units change (the syncer's version). */
  readonly dataVersion: () => number;
  readonly limits: RunLimits;
  readonly sandbox: Sandbox;
  /** Analysts' queries running at once; more wait their turn (default 2). */
  readonly concurrency?: number;
}

/**
 * Analysts' read-only SQL: checks the caller's role, keeps the sandbox's copy of the data as current
 * as the store (copied again when the store changed since the last query), and runs the query over
 * views restricted to the caller's units.
 */
export class AnalystSql {
  private loadedVersion = -1;
  private loadedDigest: string | null = null;
  private indicatorsLoaded = false;
  private refreshing?: Promise<void>;
  private readonly slots: Semaphore;

  constructor(private readonly options: AnalystSqlOptions) {
    this.slots = new Semaphore(options.concurrency ?? 2);
  }

  get limits(): RunLimits {
    return this.options.limits;
  }

  /**
   * Runs `sql` for `identity`. Throws client errors: FORBIDDEN for roles other than analyst and admin,
   * SQL_REJECTED for a query that is not a single SELECT over the views or that DuckDB refuses,
   * TIMEOUT when it was interrupted, SOURCE_UNAVAILABLE before the unit catalogue is known.
   */
  async run(identity: Identity, sql: string, sink: ResultSink, limits: Partial<RunLimits> = {}): Promise<RunSummary> {
    assertMaySql(identity);
    const catalog = currentCatalog(this.options.catalog);
    const units = new Scope(identity, catalog).unitIds();
    await this.refresh(catalog);
    try {
      const access = { ...(units ? { units } : {}), ...(identity.indicators ? { indicators: identity.indicators } : {}) };
      return await this.slots.run(() => this.options.sandbox.run(sql, access, { ...this.options.limits, ...limits }, sink));
    } catch (error) {
      throw toClientError(error);
    }
  }

  /**
   * Copies the store's current data into the sandbox unless the copy is already current. A refresh
   * already running may have started before the latest change, so at most one more follows it; under
   * a steady stream of changes a query waits for two copies at most, never indefinitely.
   */
  async refresh(catalog: UnitCatalog): Promise<void> {
    for (let round = 0; round < 2 && this.isStale(catalog); round += 1) {
      if (!this.refreshing) {
        this.refreshing = this.copy(catalog).finally(() => {
          this.refreshing = undefined;
        });
      }
      await this.refreshing;
    }
  }

  private isStale(catalog: UnitCatalog): boolean {
    return this.loadedVersion !== this.options.dataVersion() || this.loadedDigest !== catalog.digest() || !this.indicatorsLoaded;
  }

  private async copy(catalog: UnitCatalog): Promise<void> {
    const version = this.options.dataVersion();
    const digest = catalog.digest();
    const store = this.options.store;
    const codes = await store.withConnection((c) => queryRows(c, storePeriodsStatement()));
    const years = periodYears(codes.map((r) => String(r.period)));
    const fills: Parameters<Sandbox['replace']>[0] = {
      facts: (appender: DuckDBAppender) =>
        store.withConnection(async (c) => {
          const s = storeFactsStatement();
          const result = await c.stream(s.sql);
          for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
            appender.appendDataChunk(chunk);
          }
        }),
      periods: (appender) => appendRows(appender, 'periods', periodRows(years.fromYear, years.toYear)),
    };
    if (digest !== this.loadedDigest) {
      fills.units = (appender) => appendRows(appender, 'units', unitRows(catalog));
      fills.unit_tree = (appender) => appendRows(appender, 'unit_tree', unitTreeRows(catalog));
    }
    if (!this.indicatorsLoaded) fills.indicators = (appender) => appendRows(appender, 'indicators', indicatorRows());
    await this.options.sandbox.replace(fills);
    this.loadedVersion = version;
    this.loadedDigest = digest;
    this.indicatorsLoaded = true;
  }
}

/** Refuses callers other than analysts and admins. */
export function assertMaySql(identity: Identity): void {
  if (!mayRunSql(identity)) {
    throw clientError(ErrorCode.FORBIDDEN, `SQL is for analysts and admins; your role is ${identity.role}`);
  }
}

/** The client error for a failure of the sandbox; anything unexpected is passed on as it is. */
export function toClientError(error: unknown): unknown {
  if (error instanceof SqlRejection) return clientError(ErrorCode.SQL_REJECTED, error.message);
  if (error instanceof SandboxTimeoutError) return clientError(ErrorCode.TIMEOUT, error.message, { timeoutMs: error.timeoutMs });
  if (error instanceof SandboxQueryError) return clientError(ErrorCode.SQL_REJECTED, `DuckDB refused the query: ${error.message}`);
  return error;
}
