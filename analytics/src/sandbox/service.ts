import { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { CatalogSource, currentCatalog, Identity, mayRunSql, Scope } from '@lgr/kit';
import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';
import { AnalyticsStore, queryRows } from '../store';
import {
  appendRows,
  indicatorRows,
  periodRows,
  periodYears,
  storeFactsStatement,
  storePeriodsStatement,
  unitRows,
  unitTreeRows,
} from './data';
import { checkSql, SerializedSql, SqlRejection } from './guard';
import {
  QueryShape,
  ResultSink,
  RunExtras,
  RunLimits,
  RunSummary,
  Sandbox,
  SandboxAccess,
  SandboxCancelledError,
  SandboxQueryError,
  SandboxTimeoutError,
} from './sandbox';
import { FairScheduler, JobAbortedError, QueueFullError } from './scheduler';

export interface AnalystSqlOptions {
  readonly store: AnalyticsStore;
  readonly catalog: CatalogSource;
  /** Grows whenever the store's facts or units change (the syncer's version). */
  readonly dataVersion: () => number;
  readonly limits: RunLimits;
  readonly sandbox: Sandbox;
  /** Analysts' queries running at once, at most one per caller; more wait their turn (default 2). */
  readonly concurrency?: number;
  /** Queries one caller may have waiting besides the running one (default 4); more are refused. */
  readonly maxWaitingPerCaller?: number;
  /** Rewrites queries before they run (table functions such as `aggregate(...)`); none by default. */
  readonly rewriter?: QueryRewriter;
}

/** What a {@link QueryRewriter} made of a query. */
export interface RewrittenQuery {
  /** Whether the parse tree was changed in place (the query text is then written anew from it). */
  readonly changed: boolean;
  /** TEMP tables the rewritten query reads besides the views. */
  readonly tables: readonly string[];
  /** Creates those tables on the query's connection. */
  readonly prelude?: (connection: DuckDBConnection) => Promise<void>;
}

/** Rewrites an accepted query's parse tree for a caller, in place. */
export interface QueryRewriter {
  /** Table functions the rewriter replaces, which the first check lets through. */
  readonly tableFunctions: readonly string[];
  /** Changes the tree before it is checked, in place (spellings the check would refuse needlessly); true when it changed. */
  normalise(tree: SerializedSql): boolean;
  rewrite(identity: Identity, tree: SerializedSql): Promise<RewrittenQuery>;
}

/** Parameter values and the like for one run. */
export type QueryExtras = Pick<RunExtras, 'params' | 'signal'>;

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
  private readonly slots: FairScheduler;

  constructor(private readonly options: AnalystSqlOptions) {
    this.slots = new FairScheduler(options.concurrency ?? 2, options.maxWaitingPerCaller ?? 4);
  }

  get limits(): RunLimits {
    return this.options.limits;
  }

  /** Analysts' queries running and waiting now (reported by `/health`). */
  queue(): { running: number; waiting: number } {
    return this.slots.stats();
  }

  /**
   * Runs `sql` for `identity`. Throws client errors: FORBIDDEN for roles other than analyst and admin,
   * SQL_REJECTED for a query that is not a single SELECT over the views or that DuckDB refuses,
   * TIMEOUT when it was interrupted or cancelled, RATE_LIMITED when the caller already has too many
   * queries waiting, SOURCE_UNAVAILABLE before the unit catalogue is known. Each caller's queries run
   * one at a time, callers taking turns; an abort of `signal` (the caller went away) takes the query
   * out of the queue or interrupts it.
   */
  async run(
    identity: Identity,
    sql: string,
    sink: ResultSink,
    limits: Partial<RunLimits> = {},
    extras: QueryExtras = {},
  ): Promise<RunSummary> {
    const access = await this.accessOf(identity);
    try {
      const query = await this.rewrite(identity, sql);
      return await this.slots.run(
        callerOf(identity),
        () =>
          this.options.sandbox.run(query.sql, access, { ...this.options.limits, ...limits }, sink, {
            ...query,
            ...extras,
          }),
        extras.signal,
      );
    } catch (error) {
      throw toClientError(error);
    }
  }

  /**
   * The result columns and parameter types of `sql` for `identity`, without running it (the
   * PostgreSQL protocol's Describe); the same checks and client errors as {@link run}.
   */
  async describe(identity: Identity, sql: string): Promise<QueryShape> {
    const access = await this.accessOf(identity);
    try {
      const query = await this.rewrite(identity, sql);
      return await this.slots.run(callerOf(identity), () => this.options.sandbox.describe(query.sql, access, query));
    } catch (error) {
      throw toClientError(error);
    }
  }

  private async accessOf(identity: Identity): Promise<SandboxAccess> {
    assertMaySql(identity);
    const catalog = currentCatalog(this.options.catalog);
    const units = new Scope(identity, catalog).unitIds();
    await this.refresh(catalog);
    return { ...(units ? { units } : {}), ...(identity.indicators ? { indicators: identity.indicators } : {}) };
  }

  /**
   * Checks the query as written (letting the rewriter's table functions through), lets the rewriter
   * answer them, and returns the text to run with the tables it reads; the sandbox checks that text
   * again before running it.
   */
  private async rewrite(identity: Identity, sql: string): Promise<{ sql: string } & Omit<RewrittenQuery, 'changed'>> {
    const rewriter = this.options.rewriter;
    if (!rewriter) return { sql, tables: [] };
    const tree = await this.options.sandbox.parse(sql);
    const normalised = rewriter.normalise(tree);
    checkSql(sql, tree, { tableFunctions: rewriter.tableFunctions });
    const rewritten = await rewriter.rewrite(identity, tree);
    const text = rewritten.changed || normalised ? await this.options.sandbox.unparse(tree) : sql;
    return { sql: text, tables: rewritten.tables, ...(rewritten.prelude ? { prelude: rewritten.prelude } : {}) };
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
    return (
      this.loadedVersion !== this.options.dataVersion() ||
      this.loadedDigest !== catalog.digest() ||
      !this.indicatorsLoaded
    );
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
/** Whose turn a query takes in the fair queue: one caller's queries run one at a time. */
function callerOf(identity: Identity): string {
  return `${identity.role}:${identity.sub}`;
}

export function toClientError(error: unknown): unknown {
  if (error instanceof SqlRejection) return clientError(ErrorCode.SQL_REJECTED, error.message);
  if (error instanceof SandboxTimeoutError)
    return clientError(ErrorCode.TIMEOUT, error.message, { timeoutMs: error.timeoutMs });
  if (error instanceof SandboxQueryError)
    return clientError(ErrorCode.SQL_REJECTED, `DuckDB refused the query: ${error.message}`);
  if (error instanceof SandboxCancelledError || error instanceof JobAbortedError)
    return clientError(ErrorCode.TIMEOUT, error.message);
  if (error instanceof QueueFullError)
    return clientError(ErrorCode.RATE_LIMITED, error.message, { waiting: error.waiting });
  return error;
}
