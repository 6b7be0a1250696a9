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
  take(key: string, cost = 1): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
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
