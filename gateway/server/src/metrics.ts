import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { routeLabel } from '@lgr/kit/route-label';
import type { GatewayContext } from './context';

/** The gateway's Prometheus registry and the series it records. */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly operations: Counter;
  readonly latency: Histogram;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gateway' });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    operations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
  };
}

/**
 * Times every HTTP request by route template and status; every path no route knows shares one label,
 * so requests to random paths add no series (they grew /metrics to 38 MB).
 */
export function latencyMiddleware(latency: Histogram) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = latency.startTimer();
    res.on('finish', () => end({ route: routeLabel(req), status: String(res.statusCode) }));
    next();
  };
}

/** Counts GraphQL operations by whether they answered with errors. */
export function outcomePlugin(counter: Counter): ApolloServerPlugin<GatewayContext> {
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
