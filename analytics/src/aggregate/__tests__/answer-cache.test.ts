import type { AggregateRow } from '../../engine';
import { indicatorCacheKey } from '../../graphql/indicator-loader';
import { AnswerCache } from '../answer-cache';
import { aggregateCacheKey, rowsBytes, scopeKey } from '../service';

const G1 = { version: 1, digest: 'd1' };
const G2 = { version: 2, digest: 'd1' };

/** A computation that counts its runs and can be finished from outside. */
function counted<T>(value: T) {
  const state = { runs: 0 };
  const compute = async () => {
    state.runs += 1;
    return value;
  };
  return { state, compute };
}

describe('AnswerCache', () => {
  it('computes an answer once and serves it again for the same key and generation', async () => {
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1000 });
    const { state, compute } = counted('answer');
    expect(await cache.get(G1, 'k', compute, () => 10)).toBe('answer');
    expect(await cache.get(G1, 'k', compute, () => 10)).toBe('answer');
    expect(state.runs).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 10, hits: 1, misses: 1 });
    // Another key is another answer.
    await cache.get(G1, 'other', compute, () => 10);
    expect(state.runs).toBe(2);
  });

  it('drops every answer when the data changes, and never keeps an answer computed on older data', async () => {
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1000 });
    await cache.get(
      G1,
      'k',
      async () => 'old',
      () => 10,
    );
    expect(
      await cache.get(
        G2,
        'k',
        async () => 'new',
        () => 10,
      ),
    ).toBe('new');
    expect(cache.stats().entries).toBe(1);
    // A caller that read the older version before the change computes on its own and keeps nothing.
    expect(
      await cache.get(
        G1,
        'k',
        async () => 'late',
        () => 10,
      ),
    ).toBe('late');
    expect(
      await cache.get(
        G2,
        'k',
        async () => 'again',
        () => 10,
      ),
    ).toBe('new');
    // A new catalogue is new data too.
    expect(
      await cache.get(
        { version: 2, digest: 'd2' },
        'k',
        async () => 'other units',
        () => 10,
      ),
    ).toBe('other units');
  });

  it('lets callers asking the same meanwhile wait for the one computation', async () => {
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1000 });
    let finish!: (value: string) => void;
    let runs = 0;
    const compute = () => {
      runs += 1;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const first = cache.get(G1, 'k', compute, () => 10);
    const second = cache.get(G1, 'k', compute, () => 10);
    finish('answer');
    expect(await Promise.all([first, second])).toEqual(['answer', 'answer']);
    expect(runs).toBe(1);
    expect(cache.stats().shared).toBe(1);
  });

  it('answers a narrower question from the answer kept or being computed for a wider one', async () => {
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1000 });
    const narrow = (answer: string) => answer.toLowerCase();
    expect(cache.findWithin(G1, 'value', 'every', narrow)).toBeUndefined();
    let finish!: (value: string) => void;
    const wider = cache.get(
      G1,
      'every',
      () => new Promise<string>((resolve) => (finish = resolve)),
      () => 10,
    );
    const pending = cache.findWithin(G1, 'value', 'every', narrow);
    finish('ANSWER');
    await wider;
    expect(pending && 'pending' in pending && (await pending.pending)).toBe('answer');
    expect(cache.findWithin(G1, 'value', 'every', narrow)).toEqual({ value: 'answer' });
    // Its own kept answer comes first, and a question is not narrowed from itself.
    await cache.get(
      G1,
      'value',
      async () => 'own',
      () => 10,
    );
    expect(cache.findWithin(G1, 'value', 'every', narrow)).toEqual({ value: 'own' });
    expect(cache.findWithin(G1, 'other', 'other', narrow)).toBeUndefined();
  });

  it('passes errors on to everyone waiting and keeps none of them', async () => {
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1000 });
    let fail!: (error: Error) => void;
    const failing = () => new Promise<string>((_, reject) => (fail = reject));
    const first = cache.get(G1, 'k', failing, () => 10);
    const second = cache.get(G1, 'k', failing, () => 10);
    fail(new Error('TIMEOUT'));
    await expect(first).rejects.toThrow('TIMEOUT');
    await expect(second).rejects.toThrow('TIMEOUT');
    expect(
      await cache.get(
        G1,
        'k',
        async () => 'fine',
        () => 10,
      ),
    ).toBe('fine');
  });

  it('stays within its number of entries, dropping the least recently used first', async () => {
    const cache = new AnswerCache({ maxEntries: 2, maxBytes: 1000 });
    await cache.get(
      G1,
      'a',
      async () => 'A',
      () => 1,
    );
    await cache.get(
      G1,
      'b',
      async () => 'B',
      () => 1,
    );
    // a is used again, so b is the least recently used when c arrives.
    await cache.get(
      G1,
      'a',
      async () => 'A again',
      () => 1,
    );
    await cache.get(
      G1,
      'c',
      async () => 'C',
      () => 1,
    );
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 1 });
    expect(cache.find(G1, 'a')).toEqual({ value: 'A' });
    expect(cache.find(G1, 'b')).toBeUndefined();
    expect(cache.find(G1, 'c')).toEqual({ value: 'C' });
  });

  it('stays within its bytes, and keeps no answer larger than a quarter of them', async () => {
    const cache = new AnswerCache({ maxEntries: 100, maxBytes: 1000 });
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      await cache.get(
        G1,
        key,
        async () => key,
        () => 240,
      );
    expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
    expect(cache.stats().entries).toBe(4);
    expect(cache.find(G1, 'a')).toBeUndefined();
    await cache.get(
      G1,
      'huge',
      async () => 'huge',
      () => 251,
    );
    expect(cache.find(G1, 'huge')).toBeUndefined();
    expect(cache.stats().entries).toBe(4);
  });

  it('keeps nothing when told to keep no entries', async () => {
    const cache = new AnswerCache({ maxEntries: 0, maxBytes: 1000 });
    const { state, compute } = counted('x');
    await cache.get(G1, 'k', compute, () => 1);
    await cache.get(G1, 'k', compute, () => 1);
    expect(state.runs).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });
});

describe('cache keys', () => {
  it('tell scopes apart by their set, not by what the sets hold', () => {
    const a = new Set(['304@2000-01-01']);
    const b = new Set(['304@2000-01-01']);
    expect(scopeKey(undefined)).toBe('all');
    expect(scopeKey(a)).toBe(scopeKey(a));
    expect(scopeKey(a)).not.toBe(scopeKey(b));
  });

  it('name every field of a request that changes its answer, in order', () => {
    const base = { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] };
    const key = aggregateCacheKey(base, 'all');
    expect(aggregateCacheKey({ ...base }, 'all')).toBe(key);
    const variants = [
      { ...base, indicators: ['PB_NEW_MEMBERS', 'EB_BUDGET_REV'] },
      { ...base, units: ['304', '305'] },
      { ...base, units: ['305', '304'] },
      { ...base, periods: ['2025'] },
      { indicators: base.indicators, units: base.units, from: '2025Q1', to: '2025Q2' },
      { indicators: base.indicators, units: base.units, from: '2025Q1', to: '2025Q2', grain: 'MONTH' as const },
      { ...base, level: 'COMMUNE' as const },
      { ...base, boundariesAsOf: '2025-07-01' },
      { ...base, groupBy: ['INDICATOR' as const, 'TERM' as const] },
      { ...base, totals: true },
    ];
    const keys = new Set([key, ...variants.map((v) => aggregateCacheKey(v, 'all'))]);
    expect(keys.size).toBe(variants.length + 1);
    expect(aggregateCacheKey(base, 'scope:1')).not.toBe(key);
    expect(indicatorCacheKey('304@2000-01-01', 'PB_NEW_MEMBERS', '2025S1', null)).not.toBe(
      indicatorCacheKey('304@2000-01-01', 'PB_NEW_MEMBERS', '2025S1', '2025-06-30'),
    );
  });

  it('estimate the bytes of an answer by its rows', () => {
    const row: AggregateRow = {
      indicator: 'PB_NEW_MEMBERS',
      unitId: '304@2000-01-01',
      unitCode: '304',
      period: '2025S1',
      periods: ['2025S1'],
      term: null,
      value: 254,
      target: 271,
      achievementPct: 93.7,
      samePeriodValue: null,
      samePeriodPct: null,
      complete: true,
      coverage: { value: 1, target: 1, yearToDate: 1, samePeriod: 0 },
      targetMet: false,
      note: null,
      total: false,
      boundariesAsOf: '2025-06-30',
    };
    expect(rowsBytes([row, row])).toBeGreaterThan(rowsBytes([row]));
    expect(rowsBytes(Array.from({ length: 1000 }, () => row))).toBeGreaterThan(100_000);
  });
});
