import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { NextFunction, Request, Response } from 'express';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { clientError, ErrorCode, HTTP_STATUS } from '@lgr/schema';
import { createLogger, Identity, IDENTITY_HEADER, isPublic, launchIdentity, Logger, publicIdentity, signForwardedIdentity } from '@lgr/kit';
import { Authenticator, AuthOptions, createAuthenticator, unauthenticated } from './auth';
import { checkLimits, measureOperation, QueryLimits } from './limits';
import { RateLimitStore, rateLimitStore } from './shared-rate-limit';
import { checkPublicOperation, PublicFieldPolicy } from './public-access';
import { defaultSupergraphPath } from './compose';

export type SubgraphName = 'reference' | 'party' | 'economy' | 'social' | 'analytics';

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
  readonly persistedQueries: 'apq' | 'allowlist' | 'off';
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
  /** Redis holding every gateway replica's rate-limit buckets; each gateway counts alone when absent. */
  readonly redisUrl?: string | undefined;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface GatewayContext {
  readonly identity: Identity;
  readonly requestId: string;
  /** The identity signed once per request for every subgraph fetch. */
  readonly forwarded: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: Identity;
  }
}

class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    private readonly log: Logger,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  /**
   * A subgraph that cannot be reached (refused, reset, timed out) becomes a SOURCE_UNAVAILABLE error
   * naming it; the gateway still returns what the other subgraphs answered. A subgraph that refuses a
   * request with an HTTP error status (a variable it cannot coerce, say) has its own client error
   * passed on; Apollo's wrapping of it carries the subgraph's internal URL, which never leaves here.
   */
  override didEncounterError(error: Error, _request: unknown, response?: unknown): void {
    const refused = error instanceof GraphQLError ? (error.extensions?.response as { status?: number; body?: { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } } | undefined) : undefined;
    if (refused) {
      const first = refused.body?.errors?.[0];
      const code = first?.extensions?.code;
      if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in HTTP_STATUS && typeof first?.message === 'string' && refused.status !== 401) {
        throw clientError(code as ErrorCode, first.message, { serviceName: this.serviceName });
      }
      // Anything else (the subgraph refusing the gateway's own identity, a 5xx) is the platform's fault.
      this.log.error({ service: this.serviceName, status: refused.status, body: refused.body }, 'subgraph refused a request');
      throw clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', { serviceName: this.serviceName });
    }
    if (response === undefined && !(error instanceof GraphQLError)) {
      const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError';
      throw clientError(
        timedOut ? ErrorCode.TIMEOUT : ErrorCode.SOURCE_UNAVAILABLE,
        timedOut
          ? `The ${this.serviceName} service did not answer in time; other parts of the answer are complete`
          : `The ${this.serviceName} service is unavailable; other parts of the answer are complete`,
        { serviceName: this.serviceName },
      );
    }
    throw error;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.forwarded) request.http!.headers.set(IDENTITY_HEADER, context.forwarded);
    if (context.requestId) request.http!.headers.set('x-request-id', context.requestId);
  }
}

/**
 * The public entry point of the platform: verifies callers, enforces limits, and plans every
 * operation over the subgraphs with Apollo Gateway and the committed supergraph. Subgraphs see the
 * caller only as a short-lived identity signed with the internal secret.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = createLogger('gateway', options.logLevel ?? 'info');
  const supergraphSdl = options.supergraphSdl ?? readFileSync(defaultSupergraphPath(), 'utf8');
  const authenticate = createAuthenticator(options.auth);
  const publicIndicators = options.publicIndicators ?? [];
  const publicPolicy = publicIndicators.length ? new PublicFieldPolicy(supergraphSdl) : undefined;
  let fallbackLogged = 0;
  const limiter = rateLimitStore({
    redisUrl: options.redisUrl,
    perMinute: options.rateLimitPerMinute,
    // Once a minute at most: a Redis outage must not flood the log.
    onFallback: (error) => {
      if (Date.now() - fallbackLogged < 60_000) return;
      fallbackLogged = Date.now();
      log.warn({ err: error.message }, 'Redis does not answer; rate limits count in this gateway alone until it does');
    },
  });
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: 'gateway' });
  collectDefaultMetrics({ register: metrics });
  const operations = new Counter({ name: 'graphql_operations_total', help: 'GraphQL operations', labelNames: ['outcome'], registers: [metrics] });
  const latency = new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route', 'status'], registers: [metrics] });

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new IdentityForwardingDataSource(name, log, {
        url: subgraphGraphqlUrl(options.subgraphUrls, name, url),
        fetcher: (input, init) =>
          fetch(input, { ...(init as RequestInit), signal: AbortSignal.timeout(options.subgraphTimeoutMs) }) as never,
      }),
  });

  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);
  app.use((req, res, next) => {
    const end = latency.startTimer({ route: req.path });
    res.on('finish', () => end({ status: String(res.statusCode) }));
    next();
  });
  app.get('/health', async (_req, res) => {
    const subgraphs = await subgraphHealth(options.subgraphUrls);
    const ok = Object.values(subgraphs).every((s) => s === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', service: 'gateway', ...launchIdentity(), subgraphs });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    allowBatchedHttpRequests: true,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production,
    // The service's main.ts owns the signal handlers and drains through close(); Apollo's own
    // handlers would start a second stop() that never returns.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // In allowlist mode the persisted-query store holds exactly the allowlisted operations and learns
    // no others; in APQ mode it learns any operation a client registers by hash.
    persistedQueries:
      options.persistedQueries === 'off' ? false : options.persistedQueries === 'allowlist' ? { cache: new AllowlistCache(options.allowlistOperations ?? new Map()) } : {},
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      options.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
      limitsPlugin(options.limits),
      ...(publicPolicy ? [publicAccessPlugin(publicPolicy, publicIndicators)] : []),
      ...(options.persistedQueries === 'allowlist' ? [allowlistPlugin(options.allowlist ?? new Set())] : []),
      outcomePlugin(operations),
    ],
    formatError: (formatted, error) => maskGatewayError(formatted, error, log),
  });
  await apollo.start();

  const guarded = [express.json({ limit: options.maxBodyBytes }), authMiddleware(authenticate, publicIndicators), rateLimitMiddleware(limiter)];
  const graphqlGuards = chain([...guarded, batchCap(options.maxBatch)]);
  app.use('/graphql', (req, res, next) => {
    // Apollo Sandbox (development only) is a page a browser asks for without a token.
    if (req.method === 'GET' && !options.production && (req.headers.accept ?? '').includes('text/html')) {
      // Apollo's middleware insists on a parsed body even for the landing page's GET.
      req.body ??= {};
      return next();
    }
    graphqlGuards(req, res, next);
  });
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(req, options.internalSecret),
    }),
  );
  for (const path of ['/sql', '/export']) {
    app.post(path, ...guarded, signedIn, proxyTo(`${options.subgraphUrls.analytics.replace(/\/$/, '')}${path}`, options.internalSecret, options.subgraphTimeoutMs));
  }
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number; type?: string }).status ?? 500;
    if ((error as { type?: string }).type === 'entity.too.large') {
      return sendGraphQLError(res, clientError(ErrorCode.REQUEST_TOO_LARGE, `Request body exceeds ${options.maxBodyBytes} bytes`, { limit: options.maxBodyBytes }), 413);
    }
    if (error instanceof GraphQLError) return sendGraphQLError(res, error);
    if (status < 500) return sendGraphQLError(res, clientError(ErrorCode.BAD_USER_INPUT, (error as Error).message), status);
    log.error({ err: error }, 'request failed');
    sendGraphQLError(res, clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'), 500);
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
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

type Handler = (req: Request, res: Response, next: NextFunction) => void;

/** Runs Express handlers one after another, stopping at the first that passes an error on. */
function chain(handlers: readonly Handler[]): Handler {
  return (req, res, done) => {
    const step = (i: number, error?: unknown): void => {
      if (error !== undefined || i === handlers.length) return done(error);
      handlers[i]!(req, res, (err?: unknown) => step(i + 1, err));
    };
    step(0);
  };
}

function subgraphGraphqlUrl(urls: Record<SubgraphName, string>, name: string, composedUrl: string | undefined): string {
  const base = urls[name as SubgraphName];
  if (!base) return composedUrl!;
  return `${base.replace(/\/$/, '')}/graphql`;
}

async function contextFor(req: Request, secret: string): Promise<GatewayContext> {
  const identity = req.identity!;
  return {
    identity,
    requestId: String(req.headers['x-request-id'] ?? randomUUID()),
    forwarded: await signForwardedIdentity(identity, secret),
  };
}

const SIGN_IN = 'Sign in: send Authorization: Bearer <token> (npm run token mints one in development)';

/**
 * Verifies the caller's token. A request without one is refused, unless public indicators are
 * configured: then it runs as the anonymous public identity, which the public-access plugin and every
 * subgraph restrict to reference data and those indicators.
 */
function authMiddleware(authenticate: Authenticator, publicIndicators: readonly string[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const identity = (await authenticate(req.header('authorization'))) ?? (publicIndicators.length ? publicIdentity(publicIndicators) : undefined);
      if (!identity) throw unauthenticated(SIGN_IN);
      req.identity = identity;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** SQL and exports are for signed-in callers only, whatever public access allows. */
function signedIn(req: Request, _res: Response, next: NextFunction): void {
  next(!req.identity || isPublic(req.identity) ? unauthenticated(SIGN_IN) : undefined);
}

/** Anonymous callers share no bucket with each other: each address has its own. */
function rateLimitKey(req: Request): string {
  const identity = req.identity;
  if (!identity || isPublic(identity)) return `anonymous:${req.ip ?? 'unknown'}`;
  return `sub:${identity.sub}`;
}

function rateLimitMiddleware(limiter: RateLimitStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    // A batch costs one token per operation, so batching does not multiply a caller's rate.
    limiter.take(rateLimitKey(req), Array.isArray(req.body) ? req.body.length : 1).then((verdict) => {
      if (verdict.allowed) return next();
      res.setHeader('retry-after', String(verdict.retryAfterSeconds));
      next(clientError(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${verdict.retryAfterSeconds} s`, { http: { status: 429 } }));
    }, next);
  };
}

function batchCap(maxBatch: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (Array.isArray(req.body) && req.body.length > maxBatch) {
      return next(clientError(ErrorCode.BATCH_TOO_LARGE, `A batch may hold at most ${maxBatch} operations; this one holds ${req.body.length}`, { http: { status: 400 } }));
    }
    next();
  };
}

/** Forwards an analytics HTTP endpoint (SQL, exports) with the caller's identity, streaming the answer back. */
function proxyTo(target: string, secret: string, timeoutMs: number) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const upstream = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: req.header('accept') ?? 'application/json',
          [IDENTITY_HEADER]: await signForwardedIdentity(req.identity!, secret),
        },
        body: JSON.stringify(req.body ?? {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      res.status(upstream.status);
      for (const header of ['content-type', 'content-disposition', 'x-result-truncated']) {
        const value = upstream.headers.get(header);
        if (value) res.setHeader(header, value);
      }
      res.send(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      const name = (error as Error).name;
      next(
        name === 'TimeoutError'
          ? clientError(ErrorCode.TIMEOUT, 'The analytics service did not answer in time', { http: { status: 504 } })
          : clientError(ErrorCode.SOURCE_UNAVAILABLE, 'The analytics service is unavailable', { http: { status: 503 } }),
      );
    }
  };
}

function sendGraphQLError(res: Response, error: GraphQLError, status?: number): void {
  const code = (error.extensions?.code as ErrorCode | undefined) ?? ErrorCode.INTERNAL_SERVER_ERROR;
  const { http: _http, ...extensions } = error.extensions ?? {};
  res.status(status ?? (error.extensions?.http as { status?: number } | undefined)?.status ?? HTTP_STATUS[code] ?? 500);
  res.json({ errors: [{ message: error.message, extensions }] });
}

function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<GatewayContext>) {
          const metrics = measureOperation(ctx.schema, ctx.document!, ctx.operationName, ctx.request.variables ?? {});
          const error = checkLimits(metrics, limits);
          if (error) throw error;
        },
      };
    },
  };
}

function publicAccessPlugin(policy: PublicFieldPolicy, indicators: readonly string[]): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart(start) {
      if (!isPublic(start.contextValue.identity)) return {};
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<GatewayContext>) {
          const error = checkPublicOperation(ctx.schema, ctx.document!, ctx.request.variables ?? {}, policy, indicators);
          if (error) throw error;
        },
      };
    },
  };
}

/**
 * Runs only operations whose text is on the allowlist. The check sits in didResolveOperation, where
 * Apollo turns a thrown error into a proper response and before an operation sent by hash and text
 * would be stored.
 */
function allowlistPlugin(allowlist: ReadonlySet<string>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          const hash = createHash('sha256').update(ctx.source!).digest('hex');
          if (!allowlist.has(hash)) {
            throw clientError(ErrorCode.PERSISTED_QUERY_REQUIRED, 'Only registered operations may run on this server', { http: { status: 400 } });
          }
        },
      };
    },
  };
}

/**
 * The persisted-query store of allowlist mode: it answers the allowlisted operations whose text the
 * allowlist file carries and ignores attempts to register anything else.
 */
class AllowlistCache {
  constructor(private readonly operations: ReadonlyMap<string, string>) {}

  async get(key: string): Promise<string | undefined> {
    return this.operations.get(key.replace(/^apq:/, ''));
  }

  async set(): Promise<void> {}

  async delete(): Promise<boolean> {
    return false;
  }
}

function outcomePlugin(counter: Counter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(ctx) {
          counter.inc({ outcome: ctx.errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}

/**
 * Keeps registered client errors (ours, the subgraphs' and Apollo's request errors) and turns
 * everything else into a generic internal error, logged in full here, so no stack trace, SQL text or
 * internal address reaches a client.
 */
export function maskGatewayError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  // `response` is Apollo Gateway's record of a subgraph's HTTP answer, internal URL included.
  const { stacktrace: _s, exception: _e, http: _h, response: _r, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  const code = extensions.code as string | undefined;
  const service = extensions.serviceName as string | undefined;
  if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in HTTP_STATUS) return { ...formatted, extensions };
  // Apollo's own refusals of a request (a persisted-query hash that does not match its text, an
  // unsupported version) carry an HTTP 4xx status but no code; their messages are about the request.
  const status = ((error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status ?? 0) as number;
  if (!service && status >= 400 && status < 500) {
    return { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { code: ErrorCode.BAD_REQUEST } };
  }
  log.error({ err: error }, 'unexpected error');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(service ? { serviceName: service } : {}) } };
}

async function subgraphHealth(urls: Record<SubgraphName, string>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, base]) => {
      try {
        const res = await fetch(`${base.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(1500) });
        return [name, res.ok ? 'ok' : `http ${res.status}`] as const;
      } catch {
        return [name, 'unreachable'] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
