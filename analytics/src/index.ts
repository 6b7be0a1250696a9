import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CallerTokenOptions,
  CatalogSource,
  createCallerTokenVerifier,
  createLogger,
  defaultServiceUrl,
  Logger,
  remoteCatalog,
  RunningServer,
  startSubgraphServer,
} from '@lgr/kit';
import { PgWireServer, startPgWire } from './pgwire/server';
import { exportRoutes } from './export/route';
import { AnswerCache, AnswerCacheStats } from './aggregate/answer-cache';
import { AggregateServices } from './aggregate/service';
import { createAnalyticsContext } from './graphql/context';
import type { ReportServices } from './report/service';
import { buildAnalyticsSchema } from './graphql/schema';
import { sqlRoutes } from './sandbox/route';
import { Sandbox } from './sandbox/sandbox';
import { AnalystSql } from './sandbox/service';
import { AggregateRewriter } from './sql-rewrite/rewriter';
import { AnalyticsStore } from './store';
import { FeedSource, SourceStatus, Syncer } from './sync/syncer';

export { buildAnalyticsSchema } from './graphql/schema';
export { readConfig } from './config';
export type { AnalyticsConfig } from './config';
export { SOURCE_NAMES } from './sync/feed-client';
export type { SourceName } from './sync/feed-client';
export type { FeedSource, SourceStatus, CatalogueStatus } from './sync/syncer';
export { SQL_VIEWS } from './sandbox/guard';
export type { SqlAnswer, ResultColumn } from './sandbox/results';
export type { AnswerCacheStats } from './aggregate/answer-cache';
export type { PgWireServer } from './pgwire/server';

export interface AnalyticsOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  readonly host?: string;
  /** Holds `analytics.duckdb` and the temporary files of Parquet exports. */
  readonly dataDir: string;
  /** The DuckDB file; `<dataDir>/analytics.duckdb` by default, `':memory:'` for a store that is not kept. */
  readonly databasePath?: string;
  /** Verifies forwarded identities and signs the service identity for feeds and the catalogue. */
  readonly internalSecret: string;
  /** Base URL of the reference service, whose unit catalogue is followed; unused when `catalog` is given. */
  readonly referenceUrl?: string;
  /** A unit catalogue source to use instead of the reference service (tests). */
  readonly catalog?: CatalogSource;
  /** How often the reference service is asked for a newer unit catalogue (default 30 s). */
  readonly catalogRefreshMs?: number;
  /** Base URL of the Party subgraph's GraphQL, for reports (default: the party feed's URL). */
  readonly partyUrl?: string;
  /** The domain subgraphs whose change feeds are followed. */
  readonly feeds: readonly FeedSource[];
  /** Pause between polls of each feed (default 250 ms). */
  readonly syncIntervalMs?: number;
  /** A feed not read to its end for this long is stale (default 4 sync intervals, at least 1 s). */
  readonly staleAfterMs?: number;
  /** Changes asked for per feed page (default 1000). */
  readonly feedPageSize?: number;
  /** Each aggregate is interrupted after this long (default 10 s). */
  readonly queryTimeoutMs?: number;
  /** Largest aggregate answer in rows (default 50,000). */
  readonly maxAggregateRows?: number;
  /** Each analyst's query is interrupted after this long (default 5 s). */
  readonly sqlTimeoutMs?: number;
  /** Rows of an analyst's query beyond this are cut off (default 10,000). */
  readonly sqlMaxRows?: number;
  /** Bytes of an analyst's answer (as JSON) beyond this are cut off (default 10,000,000). */
  readonly sqlMaxBytes?: number;
  /** Aggregate answers and indicator values kept for the same question on the same data (default 20,000); 0 keeps none. */
  readonly resultCacheEntries?: number;
  /** Megabytes of kept aggregate answers, as estimated (default 64). */
  readonly resultCacheMb?: number;
  /** DuckDB worker threads of the store (default: DuckDB's choice). */
  readonly threads?: number;
  /** Memory limit of the SQL sandbox's operators (default `512MB`), so a runaway query fails instead of starving the store. */
  readonly sandboxMemoryLimit?: string;
  /** Analysts' queries running at once (default 2), one per caller; more wait their turn, callers taking turns. */
  readonly sqlConcurrency?: number;
  readonly logger?: Logger;
  readonly logLevel?: string;
  /** The PostgreSQL wire-protocol endpoint; off when not given. */
  readonly pgwire?: PgWireSettings;
}

/** Where the PostgreSQL wire-protocol endpoint listens and how it verifies callers' tokens. */
export interface PgWireSettings {
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host?: string;
  readonly tokens: CallerTokenOptions;
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  readonly maxConnections?: number;
}

export interface AnalyticsServer extends RunningServer {
  readonly store: AnalyticsStore;
  readonly sync: Syncer;
  /** Status of every feed now, as `/health` and aggregate answers report it. */
  sources(): SourceStatus[];
  /** How many times the aggregate engine has run (batched entity fields share runs). */
  engineRuns(): number;
  /** What the cache of aggregate answers holds and has served. */
  cacheStats(): AnswerCacheStats;
  /** Resolves once the catalogue is stored and every feed has been read to its end. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** The port of the PostgreSQL wire-protocol endpoint, when it runs. */
  readonly pgwirePort?: number;
}

/** Thrown by `caughtUp` when the service has not caught up within the time given. */
export class NotCaughtUpError extends Error {
  constructor(timeoutMs: number, sources: readonly SourceStatus[]) {
    super(
      `Analytics did not catch up within ${timeoutMs} ms: ${sources.map((s) => `${s.name} ${s.caughtUp ? 'caught up' : (s.error ?? 'behind')}`).join(', ')}`,
    );
    this.name = 'NotCaughtUpError';
  }
}

/**
 * Starts the analytics subgraph: opens the DuckDB store, follows the unit catalogue and the domain
 * feeds, and serves `/graphql` (aggregate, AdminUnit.indicator), `POST /sql`, `POST /export` and
 * `/health` (with `caughtUp`). The service answers while it catches up; aggregate answers say which
 * sources are stale.
 */
export async function start(options: AnalyticsOptions): Promise<AnalyticsServer> {
  const logger = options.logger ?? createLogger('analytics', options.logLevel ?? 'info');
  const exportDir = join(options.dataDir, 'analytics-exports');
  // Files left by an export that was cut short (a crash between writing and deleting) are removed.
  await rm(exportDir, { recursive: true, force: true });
  const store = await AnalyticsStore.open(options.databasePath ?? join(options.dataDir, 'analytics.duckdb'), {
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  if (store.rebuiltBecause.length) {
    logger.warn(
      { reasons: store.rebuiltBecause },
      'the analytics store had another layout: emptied, reading every change feed again from the start',
    );
  }
  const cleanup: Step[] = [['store', () => store.close()]];
  try {
    const sandbox = await Sandbox.open({ memoryLimit: options.sandboxMemoryLimit ?? '512MB' });
    cleanup.unshift(['sql sandbox', () => sandbox.close()]);
    let syncer: Syncer | undefined;
    const catalog =
      options.catalog ??
      remoteCatalog({
        referenceUrl: options.referenceUrl ?? defaultServiceUrl('reference'),
        internalSecret: options.internalSecret,
        logger,
        ...(options.catalogRefreshMs !== undefined ? { refreshMs: options.catalogRefreshMs } : {}),
        onChange: (c) => syncer?.catalogChanged(c),
      });
    if (!options.catalog) cleanup.unshift(['catalogue client', () => catalog.close()]);
    const sync = new Syncer({
      store,
      catalog,
      sources: options.feeds,
      internalSecret: options.internalSecret,
      logger,
      intervalMs: options.syncIntervalMs ?? 250,
      ...(options.staleAfterMs !== undefined ? { staleAfterMs: options.staleAfterMs } : {}),
      ...(options.feedPageSize !== undefined ? { pageSize: options.feedPageSize } : {}),
    });
    syncer = sync;
    cleanup.unshift(['feed sync', () => sync.close()]);
    await sync.start();

    const aggregate = aggregateServices(options, store, catalog, sync);
    const sql = analystSql(options, store, catalog, sandbox, sync, aggregate);
    const server = await serve(options, logger, { store, sync, aggregate, sql, exportDir });
    cleanup.unshift(['http server', () => server.close()]);
    const pgwire = options.pgwire ? await servePgWire(options, options.pgwire, logger, sql, sandbox) : undefined;
    if (pgwire) cleanup.unshift(['postgresql endpoint', () => pgwire.close()]);
    return runningServer(server, { store, sync, aggregate }, () => runAll(cleanup, logger), pgwire);
  } catch (error) {
    await runAll(cleanup, logger);
    throw error;
  }
}

/** The aggregate service over the store, with the configured limits and cache of answers. */
function aggregateServices(
  options: AnalyticsOptions,
  store: AnalyticsStore,
  catalog: CatalogSource,
  sync: Syncer,
): AggregateServices {
  return {
    store,
    catalog,
    sources: () => sync.sources(),
    queryTimeoutMs: options.queryTimeoutMs ?? 10_000,
    maxRows: options.maxAggregateRows ?? 50_000,
    counters: { engineRuns: 0 },
    cache: new AnswerCache({
      maxEntries: options.resultCacheEntries ?? 20_000,
      maxBytes: (options.resultCacheMb ?? 64) * 1024 * 1024,
    }),
  };
}

/** Analysts' SQL over the sandbox, copied again from the store whenever the syncer wrote to it. */
function analystSql(
  options: AnalyticsOptions,
  store: AnalyticsStore,
  catalog: CatalogSource,
  sandbox: Sandbox,
  sync: Syncer,
  aggregate: AggregateServices,
): AnalystSql {
  return new AnalystSql({
    store,
    catalog,
    sandbox,
    dataVersion: () => sync.version,
    limits: {
      timeoutMs: options.sqlTimeoutMs ?? 5_000,
      maxRows: options.sqlMaxRows ?? 10_000,
      maxBytes: options.sqlMaxBytes ?? 10_000_000,
    },
    ...(options.sqlConcurrency !== undefined ? { concurrency: options.sqlConcurrency } : {}),
    // aggregate(...) in SQL is answered by the aggregate service, for the caller.
    rewriter: new AggregateRewriter(aggregate),
  });
}

/** Starts the PostgreSQL wire-protocol endpoint over analysts' SQL. */
function servePgWire(
  options: AnalyticsOptions,
  settings: PgWireSettings,
  logger: Logger,
  sql: AnalystSql,
  sandbox: Sandbox,
): Promise<PgWireServer> {
  return startPgWire({
    port: settings.port,
    host: settings.host ?? options.host ?? '127.0.0.1',
    verify: createCallerTokenVerifier(settings.tokens),
    sql,
    sandbox,
    logger,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.maxConnections !== undefined ? { maxConnections: settings.maxConnections } : {}),
  });
}

/**
 * What reports are written from: the aggregate service, and the Party subgraph (asked as the caller)
 * for the Congress-resolution targets.
 */
function reportServices(options: AnalyticsOptions, aggregate: AggregateServices): ReportServices {
  const partyFeed = options.feeds.find((f) => f.name === 'party');
  return {
    aggregate,
    party: {
      url: options.partyUrl ?? partyFeed?.url ?? defaultServiceUrl('party'),
      internalSecret: options.internalSecret,
      timeoutMs: options.queryTimeoutMs ?? 10_000,
    },
  };
}

/** What the HTTP server of analytics serves from. */
interface Served {
  readonly store: AnalyticsStore;
  readonly sync: Syncer;
  readonly aggregate: AggregateServices;
  readonly sql: AnalystSql;
  readonly exportDir: string;
}

/** Starts the subgraph's HTTP server: `/graphql`, `POST /sql`, `POST /export` and `/health`. */
async function serve(
  options: AnalyticsOptions,
  logger: Logger,
  { store, sync, aggregate, sql, exportDir }: Served,
): Promise<RunningServer> {
  const reports = reportServices(options, aggregate);
  return startSubgraphServer({
    name: 'analytics',
    host: options.host ?? '127.0.0.1',
    port: options.port,
    schema: await buildAnalyticsSchema(),
    internalSecret: options.internalSecret,
    logger,
    context: (base) => createAnalyticsContext(base, aggregate, reports),
    routes: (app) => {
      sqlRoutes(sql, logger)(app);
      exportRoutes({ aggregate, sql, exportDir, logger })(app);
    },
    health: async () => ({
      caughtUp: sync.caughtUp(),
      catalogue: sync.catalogue(),
      sources: sync.sources(),
      ...(await store.counts()),
      cache: aggregate.cache.stats(),
      sql: sql.queue(),
    }),
  });
}

/** The running service as its callers see it; `close` runs the shutdown once, however often it is called. */
function runningServer(
  server: RunningServer,
  { store, sync, aggregate }: Pick<Served, 'store' | 'sync' | 'aggregate'>,
  shutDown: () => Promise<void>,
  pgwire?: PgWireServer,
): AnalyticsServer {
  const caughtUp = async (timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!sync.caughtUp()) {
      if (Date.now() > deadline) throw new NotCaughtUpError(timeoutMs, sync.sources());
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    metrics: server.metrics,
    store,
    sync,
    sources: () => sync.sources(),
    engineRuns: () => aggregate.counters.engineRuns,
    cacheStats: () => aggregate.cache.stats(),
    caughtUp,
    ...(pgwire ? { pgwirePort: pgwire.port } : {}),
    close: () => (closing ??= shutDown()),
  };
}

type Step = readonly [name: string, run: () => Promise<void> | void];

/**
 * Runs shutdown steps in order, each even if an earlier one failed, logging each so that a step
 * that does not finish can be named; rethrows the first failure.
 */
async function runAll(steps: readonly Step[], logger: Logger): Promise<void> {
  let first: unknown;
  for (const [name, run] of steps) {
    logger.debug({ step: name }, 'closing');
    try {
      await run();
    } catch (error) {
      logger.error({ err: error, step: name }, 'closing failed');
      first ??= error;
    }
  }
  if (first) throw first;
}
