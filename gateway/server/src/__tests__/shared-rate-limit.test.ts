import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { RateLimitStore } from '../rate-limit';
import { memoryRateLimitStore, redisRateLimitStore } from '../shared-rate-limit';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function takeMany(stores: readonly RateLimitStore[], key: string, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await stores[i % stores.length]!.take(key, 1)).allowed);
  return out;
}

/** A port nothing listens on: found free, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('rate-limit stores', () => {
  it('in memory: each store counts alone', async () => {
    const a = memoryRateLimitStore(3);
    const b = memoryRateLimitStore(3);
    expect(await takeMany([a], 'caller', 4)).toEqual([true, true, true, false]);
    expect(await takeMany([b], 'caller', 3)).toEqual([true, true, true]);
  });

  it('in Redis: two gateways draw from one bucket per caller, and say how long to wait', async () => {
    const a = redisRateLimitStore(REDIS_URL, 5);
    const b = redisRateLimitStore(REDIS_URL, 5);
    try {
      const key = `test-caller-${randomBytes(6).toString('hex')}`;
      expect(await takeMany([a, b], key, 7)).toEqual([true, true, true, true, true, false, false]);
      expect(await b.take(key, 1)).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
      // Another caller has a bucket of its own.
      expect((await a.take(`${key}-other`, 1)).allowed).toBe(true);
      // A batch costs one token per operation.
      const batchKey = `${key}-batch`;
      expect((await a.take(batchKey, 4)).allowed).toBe(true);
      expect((await b.take(batchKey, 2)).allowed).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('without Redis: counts in the gateway alone and reports it', async () => {
    const errors: Error[] = [];
    const store = redisRateLimitStore(`redis://127.0.0.1:${await closedPort()}`, 2, (e) => errors.push(e));
    try {
      expect(await takeMany([store], 'caller', 3)).toEqual([true, true, false]);
      expect(errors.length).toBe(3);
    } finally {
      await store.close();
    }
  });
});
