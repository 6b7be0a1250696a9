import type { NextFunction, Request, Response } from 'express';
import { clientError, ErrorCode } from '@lgr/schema';
import { isPublic } from '@lgr/kit/roles';

/** A rate limiter's answer: allowed, or how many seconds to wait. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Where callers' token buckets live: in this process, or shared by every gateway replica (shared-rate-limit.ts). */
export interface RateLimitStore {
  take(key: string, cost: number): Promise<RateVerdict>;
  close(): Promise<void>;
}

/**
 * A token bucket per caller: `perMinute` requests a minute on average, with bursts up to the same
 * number. Buckets of callers who stopped calling are dropped so memory stays bounded.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes `cost` tokens for `key` (one per operation, so a batch costs as many as it holds); returns
   * the seconds to wait when there are not enough.
   */
  take(key: string, cost = 1): RateVerdict {
    const t = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (t - bucket.at) * ratePerMs);
    bucket.at = t;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.evictFull(t);
    const need = Math.min(Math.max(1, cost), this.perMinute);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((need - bucket.tokens) / ratePerMs / 1000)) };
  }

  private evictFull(t: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (t - b.at) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/** Anonymous callers share no bucket with each other: each address has its own. */
function rateLimitKey(req: Request): string {
  const identity = req.identity;
  if (!identity || isPublic(identity)) return `anonymous:${req.ip ?? 'unknown'}`;
  return `sub:${identity.sub}`;
}

/** Refuses a caller over its rate with RATE_LIMITED and a retry-after header. */
export function rateLimitMiddleware(limiter: RateLimitStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    // A batch costs one token per operation, so batching does not multiply a caller's rate.
    limiter.take(rateLimitKey(req), Array.isArray(req.body) ? req.body.length : 1).then((verdict) => {
      if (verdict.allowed) return next();
      res.setHeader('retry-after', String(verdict.retryAfterSeconds));
      next(
        clientError(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${verdict.retryAfterSeconds} s`, {
          http: { status: 429 },
        }),
      );
    }, next);
  };
}
