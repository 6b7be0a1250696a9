import express, { NextFunction, Request, Response } from 'express';
import { Authenticator, authMiddleware } from './auth';
import { batchCap } from './limits';
import { RateLimitStore, rateLimitMiddleware } from './rate-limit';

type Handler = (req: Request, res: Response, next: NextFunction) => void;

/** Runs Express handlers one after another, stopping at the first that passes an error on. */
export function chain(handlers: readonly Handler[]): Handler {
  return (req, res, done) => {
    const step = (i: number, error?: unknown): void => {
      if (error !== undefined || i === handlers.length) return done(error);
      handlers[i]!(req, res, (err?: unknown) => step(i + 1, err));
    };
    step(0);
  };
}

/** What every request to `/graphql`, `/sql` and `/export` passes before it is served. */
export interface RequestGuards {
  /** Body size, caller, rate: for every guarded route. */
  readonly common: Handler[];
  /** The common guards and the batch cap, as one handler for `/graphql`. */
  readonly graphql: Handler;
}

export function requestGuards(options: {
  maxBodyBytes: number;
  maxBatch: number;
  authenticate: Authenticator;
  publicIndicators: readonly string[];
  limiter: RateLimitStore;
}): RequestGuards {
  const common: Handler[] = [
    express.json({ limit: options.maxBodyBytes }),
    authMiddleware(options.authenticate, options.publicIndicators),
    rateLimitMiddleware(options.limiter),
  ];
  return { common, graphql: chain([...common, batchCap(options.maxBatch)]) };
}
