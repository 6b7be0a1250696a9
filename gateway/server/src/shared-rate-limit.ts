import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { RateLimiter, RateLimitStore } from './rate-limit';

/** Buckets in this process: each gateway replica counts alone (one gateway, or tests). */
export function memoryRateLimitStore(perMinute: number): RateLimitStore {
  const limiter = new RateLimiter(perMinute);
  return { take: async (key, cost) => limiter.take(key, cost), close: async () => undefined };
}

/**
 * The token bucket of {@link RateLimiter}, run inside Redis so that every gateway replica draws from
 * the same bucket. Redis's own clock is used (gateways' clocks may differ); the bucket expires once it
 * would be full again, so idle callers cost no memory.
 * KEYS[1] bucket; ARGV: capacity, tokens per millisecond, cost. Returns {allowed, seconds to wait}.
 */
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local need = math.min(math.max(1, tonumber(ARGV[3])), capacity)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= need then
  tokens = tokens - need
  allowed = 1
else
  wait = math.max(1, math.ceil((need - tokens) / rate / 1000))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return {allowed, wait}
`;

/** Prefix of the bucket keys in Redis. */
const KEY_PREFIX = 'lgr:rate:';

/** What the Redis store reports when it has to fall back to counting in this process. */
export type RateLimitFallbackListener = (error: Error) => void;

/**
 * Buckets in Redis (`REDIS_URL`), shared by every gateway replica. When Redis does not answer, the
 * replica counts in its own memory until it does (limits then hold per replica rather than not at
 * all) and `onFallback` hears about it.
 */
export function redisRateLimitStore(
  url: string,
  perMinute: number,
  onFallback: RateLimitFallbackListener = () => undefined,
): RateLimitStore {
  const redis = new Redis(url, {
    // A request is never held waiting for Redis: without a connection it fails at once and falls back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 1000,
  });
  // The first requests wait (briefly) for the first connection instead of all falling back.
  const connected = new Promise<void>((resolve) => {
    redis.once('ready', () => resolve());
    redis.once('end', () => resolve());
    setTimeout(resolve, 1500).unref();
  });
  // Connection errors are reported through take()'s fallback; this keeps ioredis from logging them.
  redis.on('error', () => undefined);
  redis.defineCommand('lgrTakeTokens', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const local = new RateLimiter(perMinute);
  const take = (
    redis as unknown as { lgrTakeTokens(key: string, ...args: (string | number)[]): Promise<[number, number]> }
  ).lgrTakeTokens.bind(redis);
  return {
    async take(key, cost) {
      await connected;
      try {
        // Keys are hashed: a caller's name never reaches Redis and every key has the same length.
        const [allowed, wait] = await take(
          `${KEY_PREFIX}${createHash('sha256').update(key).digest('hex')}`,
          perMinute,
          perMinute / 60_000,
          cost,
        );
        return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: wait };
      } catch (error) {
        onFallback(error as Error);
        return local.take(key, cost);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** The store for a gateway: Redis when `REDIS_URL` is set, else this process's memory. */
export function rateLimitStore(options: {
  redisUrl?: string | undefined;
  perMinute: number;
  onFallback?: RateLimitFallbackListener;
}): RateLimitStore {
  return options.redisUrl
    ? redisRateLimitStore(options.redisUrl, options.perMinute, options.onFallback)
    : memoryRateLimitStore(options.perMinute);
}
