import { BoundedCache } from '../bounded-cache';

test('past its capacity the least recently used entry goes; a use makes an entry the most recent', () => {
  const cache = new BoundedCache<string, number>(3, () => 0);
  for (const [k, v] of [
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ] as const)
    cache.set(k, v, 10);
  expect(cache.get('a')).toBe(1); // now b is the least recently used
  expect(cache.get('a')).toBe(1); // asked again while newest: still newest
  cache.set('d', 4, 10);
  expect([cache.get('b'), cache.get('c'), cache.get('a'), cache.get('d')]).toEqual([undefined, 3, 1, 4]);
  cache.set('e', 5, 10); // c was used before a and d
  expect([cache.get('c'), cache.get('a'), cache.get('d'), cache.get('e')]).toEqual([undefined, 1, 4, 5]);
  expect(cache.size).toBe(3);
});

test('an entry is good until its own expiry, then dropped', () => {
  let now = 0;
  const cache = new BoundedCache<string, string>(10, () => now);
  cache.set('short', 's', 5);
  cache.set('long', 'l', 50);
  now = 4;
  expect([cache.get('short'), cache.get('long')]).toEqual(['s', 'l']);
  now = 5;
  expect([cache.get('short'), cache.get('long')]).toEqual([undefined, 'l']);
  now = 50;
  expect(cache.get('long')).toBeUndefined();
  expect(cache.size).toBe(0);
});
