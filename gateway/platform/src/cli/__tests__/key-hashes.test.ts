import { hashKey, KeyHashSet } from '../key-hashes';

describe('KeyHashSet', () => {
  it('keeps every hash through growth and knows each one again', () => {
    const set = new KeyHashSet();
    const keys = Array.from(
      { length: 200_000 },
      (_, i) => `PB_BADGES|${10_000 + (i % 9_000)}|${2000 + Math.floor(i / 9_000)}S1`,
    );
    const hashes = keys.map(hashKey);
    expect(new Set(hashes).size).toBe(keys.length);
    expect(hashes.every((h) => set.add(h))).toBe(true);
    expect(set.size).toBe(keys.length);
    expect(hashes.some((h) => set.add(h))).toBe(false);
    expect(set.size).toBe(keys.length);
  });

  it('hashes to whole numbers from 1 to 2^53', () => {
    for (const key of ['', 'a', 'PB_BADGES|304|2025S1', 'x'.repeat(1000)]) {
      const h = hashKey(key);
      expect(Number.isSafeInteger(h) && h >= 1).toBe(true);
    }
  });
});
