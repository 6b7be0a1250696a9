import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
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
    operations: new Counter({ name: 'graphql_operations_total', help: 'GraphQL operations', labelNames: ['outcome'], registers: [registry] }),
    latency: new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route', 'status'], registers: [registry] }),
  };
}

/** Times every HTTP request by route and status. */
export function latencyMiddleware(latency: Histogram) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = latency.startTimer({ route: req.path });
    res.on('finish', () => end({ status: String(res.statusCode) }));
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
