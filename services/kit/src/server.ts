import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Request, RequestHandler } from 'express';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorCode, HTTP_STATUS } from '@lgr/schema';
import { createForwardedIdentityVerifier, Identity, IDENTITY_HEADER } from './identity';
import { routeLabel } from './route-label';
import { httpErrorHandler, sendError } from './http-errors';
import { Logger } from './logger';
import { launchIdentity } from './launch';
import { traceRequests } from './tracing';

/** What every resolver of every subgraph can rely on. */
export interface BaseContext {
  readonly identity: Identity;
  readonly requestId: string;
  readonly log: Logger;
}

export interface SubgraphServerOptions<C extends BaseContext> {
  readonly name: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly schema: GraphQLSchema;
  readonly internalSecret: string;
  readonly logger: Logger;
  /** Builds the per-request context: fork the EntityManager and create DataLoaders here. */
  readonly context: (base: BaseContext, req: Request) => Promise<C> | C;
  /** Extra HTTP routes (change feeds, snapshots, SQL); they run after identity verification. */
  readonly routes?: (app: express.Express) => void;
  /** Extra facts for `/health`; throwing marks the service unhealthy. */
  readonly health?: () => Promise<Record<string, unknown>>;
  /** Largest accepted request body. */
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly metrics: Registry;
  close(): Promise<void>;
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: Identity;
    requestId?: string;
  }
}

/**
 * Serves a subgraph over HTTP: `/graphql` (Apollo Server 5 on Express 5), `/health` (the only thing
 * open without a forwarded identity), `/metrics`, and the service's own routes. Closing drains
 * in-flight requests before it returns.
 */
export async function startSubgraphServer<C extends BaseContext>(
  options: SubgraphServerOptions<C>,
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: options.name });
  collectDefaultMetrics({ register: metrics });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames: ['route', 'status'],
    registers: [metrics],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['route'],
    registers: [metrics],
  });

  // First, so that every later handler, the identity check included, runs inside the request's span.
  for (const handler of traceRequests()) app.use(handler);
  app.use((req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const route = routeLabel(req);
      end({ route });
      requests.inc({ route, status: String(res.statusCode) });
    });
    next();
  });

  app.get('/health', async (_req, res) => {
    try {
      res.json({
        status: 'ok',
        service: options.name,
        ...launchIdentity(),
        ...(options.health ? await options.health() : {}),
      });
    } catch (error) {
      res
        .status(503)
        .json({ status: 'unavailable', service: options.name, ...launchIdentity(), reason: (error as Error).message });
    }
  });

  app.use(identityMiddleware(options.internalSecret));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  // Requests being served past the probes: what a drain on shutdown waits for, and what an operator
  // looks at when a subgraph is slow. Counted from the moment the request's headers arrived.
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests received and not yet answered (health and metrics not counted)',
    registers: [metrics],
  });
  app.use((_req, res, next) => {
    inFlight.inc();
    res.once('close', () => inFlight.dec());
    next();
  });
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  app.use(express.json({ limit: maxBodyBytes }));
  options.routes?.(app);

  const apollo = new ApolloServer<C>({
    schema: options.schema,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled()],
    // The service's main.ts owns the signal handlers and drains through close(); Apollo's own
    // handlers would start a second stop() that never returns.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => maskError(formatted, error, options.logger),
  });
  await apollo.start();
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = String(req.headers['x-request-id'] ?? randomUUID());
        const base: BaseContext = { identity: req.identity!, requestId, log: options.logger.child({ requestId }) };
        return options.context(base, req);
      },
    }),
  );
  app.use(httpErrorHandler(options.logger, maxBodyBytes));

  await new Promise<void>((resolveListen, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolveListen());
  });
  const port = (httpServer.address() as AddressInfo).port;
  options.logger.info({ port }, `${options.name} subgraph listening`);
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    metrics,
    close: async () => {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
}

/** Refuses any request without a valid forwarded identity (health checks are mounted before it). */
export function identityMiddleware(secret: string): RequestHandler {
  const verify = createForwardedIdentityVerifier(secret);
  return async (req, res, next) => {
    try {
      req.identity = await verify(req.header(IDENTITY_HEADER));
      next();
    } catch (error) {
      sendError(res, error as GraphQLError);
    }
  };
}

/** Client errors keep their message; anything unexpected is logged and replaced by a generic one. */
export function maskError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  const known = code && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in HTTP_STATUS;
  const apolloValidation =
    code === 'GRAPHQL_VALIDATION_FAILED' ||
    code === 'GRAPHQL_PARSE_FAILED' ||
    code === 'BAD_REQUEST' ||
    code === 'PERSISTED_QUERY_NOT_FOUND' ||
    code === 'OPERATION_RESOLUTION_FAILURE';
  if (known || apolloValidation) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // class-validator failures from type-graphql arrive as "Argument Validation Error" with details.
  const original = (error as { originalError?: { validationErrors?: unknown[] } }).originalError;
  if (original?.validationErrors) {
    return {
      message: formatted.message,
      path: formatted.path,
      extensions: { code: ErrorCode.BAD_USER_INPUT, validationErrors: original.validationErrors },
    };
  }
  log.error({ err: error }, 'unexpected resolver error');
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
