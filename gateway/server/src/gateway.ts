import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Express } from 'express';
import { createForwardedIdentitySigner, IdentitySigner } from '@lgr/kit/identity';
import { createLogger, Logger } from '@lgr/kit/logger';
import { traceRequests } from '@lgr/kit/tracing';
import type { SubgraphName } from '@lgr/kit/services';
import { AuthOptions, createAuthenticator, signedIn } from './auth';
import { consoleRoutes, defaultConsoleDir } from './console';
import { contextFor, GatewayContext } from './context';
import { createSubgraphGateway } from './data-source';
import { httpErrorHandler } from '@lgr/kit/http-errors';
import { maskGatewayError } from './errors';
import { requestGuards, RequestGuards } from './guards';
import { healthRoute } from './health';
import { limitsPlugin, QueryLimits } from './limits';
import { createGatewayMetrics, GatewayMetrics, latencyMiddleware, outcomePlugin } from './metrics';
import { allowlistPlugin, PersistedQueryMode, persistedQueryStore } from './persisted-queries';
import { PROXIED_PATHS, proxyTo } from './proxy';
import { PublicFieldPolicy, publicAccessPlugin } from './public-access';
import { apolloReportRunner, mountReports } from './reports/route';
import { rateLimitStore } from './shared-rate-limit';
import { defaultSupergraphPath } from './supergraph';

export type { SubgraphName } from '@lgr/kit/services';
export type { GatewayContext } from './context';
export { maskGatewayError } from './errors';

export interface GatewayOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly production: boolean;
  readonly logLevel?: string;
  readonly auth: AuthOptions;
  readonly internalSecret: string;
  /** Base URL of each subgraph service (`/graphql` is appended). */
  readonly subgraphUrls: Record<SubgraphName, string>;
  /** Defaults to the committed schema/supergraph.graphql. */
  readonly supergraphSdl?: string;
  readonly limits: QueryLimits;
  readonly maxBodyBytes: number;
  readonly maxBatch: number;
  readonly subgraphTimeoutMs: number;
  readonly persistedQueries: PersistedQueryMode;
  /** sha256 hex digests of the operations allowed in allowlist mode. */
  readonly allowlist?: ReadonlySet<string>;
  /**
   * The text of allowlisted operations by digest, when the allowlist file carries it: clients may then
   * send only the hash (`extensions.persistedQuery`), never the text.
   */
  readonly allowlistOperations?: ReadonlyMap<string, string>;
  /**
   * Indicators an anonymous caller may read (with reference data). Empty or absent: every request
   * needs a token.
   */
  readonly publicIndicators?: readonly string[];
  readonly rateLimitPerMinute: number;
  /** The console's built files (default: the console workspace's dist/, see console.ts). */
  readonly consoleDir?: string;
  /** Redis holding every gateway replica's rate-limit buckets; each gateway counts alone when absent. */
  readonly redisUrl?: string | undefined;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The public entry point of the platform: verifies callers, enforces limits, and plans every
 * operation over the subgraphs with Apollo Gateway and the committed supergraph. Subgraphs see the
 * caller only as a short-lived identity signed with the internal secret.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = createLogger('gateway', options.logLevel ?? 'info');
  const supergraphSdl = options.supergraphSdl ?? readFileSync(defaultSupergraphPath(), 'utf8');
  const metrics = createGatewayMetrics();
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);
  mountOperationalRoutes(app, options, metrics);
  const apollo = await startApollo(options, supergraphSdl, httpServer, metrics, log);
  const limiter = rateLimitStore({
    redisUrl: options.redisUrl,
    perMinute: options.rateLimitPerMinute,
    onFallback: fallbackWarning(log),
  });
  const guards = requestGuards({
    maxBodyBytes: options.maxBodyBytes,
    maxBatch: options.maxBatch,
    authenticate: createAuthenticator(options.auth),
    publicIndicators: options.publicIndicators ?? [],
    limiter,
  });
  // One signed identity per caller and half-minute, instead of one signature per request.
  const sign = createForwardedIdentitySigner(options.internalSecret);
  mountGraphql(app, apollo, guards, options, sign);
  mountAnalyticsProxies(app, guards, options, sign);
  mountReports(app, guards.common, signedIn, apolloReportRunner(apollo, sign));
  consoleRoutes(app, {
    dir: options.consoleDir ?? defaultConsoleDir(),
    ...(!options.production && options.auth.jwtSecret ? { developmentSecret: options.auth.jwtSecret } : {}),
  });
  app.use(httpErrorHandler(log, options.maxBodyBytes));
  const port = await listen(httpServer, options.port, options.host);
  log.info({ port }, 'gateway listening');
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    close: async () => {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
      await limiter.close();
    },
  };
}

/** Says, once a minute at most (an outage must not flood the log), that Redis does not answer. */
function fallbackWarning(log: Logger): (error: Error) => void {
  let last = 0;
  return (error) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    log.warn({ err: error.message }, 'Redis does not answer; rate limits count in this gateway alone until it does');
  };
}

/** Request spans, request timing, `/health` (every subgraph's) and `/metrics`. */
function mountOperationalRoutes(app: Express, options: GatewayOptions, metrics: GatewayMetrics): void {
  // First, so that the guards, Apollo's planning and every subgraph fetch run inside the request's span.
  for (const handler of traceRequests()) app.use(handler);
  app.use(latencyMiddleware(metrics.latency));
  app.get('/health', healthRoute(options.subgraphUrls));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

/** Apollo Server over Apollo Gateway, with the limits, public-access, allowlist and metrics plugins. */
async function startApollo(
  options: GatewayOptions,
  supergraphSdl: string,
  httpServer: Server,
  metrics: GatewayMetrics,
  log: Logger,
): Promise<ApolloServer<GatewayContext>> {
  const publicIndicators = options.publicIndicators ?? [];
  const apollo = new ApolloServer<GatewayContext>({
    gateway: createSubgraphGateway(supergraphSdl, options.subgraphUrls, options.subgraphTimeoutMs, log),
    allowBatchedHttpRequests: true,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production,
    // The service's main.ts owns the signal handlers and drains through close(); Apollo's own
    // handlers would start a second stop() that never returns.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    persistedQueries: persistedQueryStore(options.persistedQueries, options.allowlistOperations),
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The explorer is the console's own GraphiQL, served from here; Apollo's page loads from the internet.
      ApolloServerPluginLandingPageDisabled(),
      limitsPlugin(options.limits),
      ...(publicIndicators.length ? [publicAccessPlugin(new PublicFieldPolicy(supergraphSdl), publicIndicators)] : []),
      ...(options.persistedQueries === 'allowlist' ? [allowlistPlugin(options.allowlist ?? new Set())] : []),
      outcomePlugin(metrics.operations),
    ],
    formatError: (formatted, error) => maskGatewayError(formatted, error, log),
  });
  await apollo.start();
  return apollo;
}

/** `/graphql`: the guards, then Apollo; a browser opening it in development is sent to the console's explorer. */
function mountGraphql(
  app: Express,
  apollo: ApolloServer<GatewayContext>,
  guards: RequestGuards,
  options: GatewayOptions,
  sign: IdentitySigner,
): void {
  app.use('/graphql', (req, res, next) => {
    if (req.method === 'GET' && !options.production && (req.headers.accept ?? '').includes('text/html'))
      return res.redirect(302, '/#/explorer');
    guards.graphql(req, res, next);
  });
  app.use('/graphql', expressMiddleware(apollo, { context: async ({ req }) => contextFor(req, sign) }));
}

/** `/sql` and `/export`, passed on to analytics for signed-in callers. */
function mountAnalyticsProxies(
  app: Express,
  guards: RequestGuards,
  options: GatewayOptions,
  sign: IdentitySigner,
): void {
  const analytics = options.subgraphUrls.analytics.replace(/\/$/, '');
  for (const path of PROXIED_PATHS) {
    app.post(path, ...guards.common, signedIn, proxyTo(`${analytics}${path}`, sign, options.subgraphTimeoutMs));
  }
}

function listen(httpServer: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
  });
}
