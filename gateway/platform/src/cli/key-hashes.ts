/**
 * A 53-bit hash of `key` (two 32-bit FNV-style hashes, 32 + 21 bits), never 0 (0 marks an empty
 * slot). With 53 bits, two of ten million distinct keys share a hash with a chance of about 0.5 %.
 */
export function hashKey(key: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) >>> 11) || 1;
}

/**
 * A set of key hashes in one typed array (8 to 16 bytes per key instead of the key's string), so
 * that repeats can be found in a file of any number of rows without holding its keys. Two keys can
 * share a hash: a hash seen again only makes its row a suspect, which the caller settles by
 * comparing the exact keys of the suspect rows.
 */
export class KeyHashSet {
  private slots = new Float64Array(1 << 16);
  private count = 0;

  /** Adds `hash` (a whole number in 1..2^53); returns false when it was already there. */
  add(hash: number): boolean {
    if ((this.count + 1) * 4 > this.slots.length * 3) this.grow();
    const added = KeyHashSet.insert(this.slots, hash);
    if (added) this.count += 1;
    return added;
  }

  get size(): number {
    return this.count;
  }

  private static insert(slots: Float64Array, hash: number): boolean {
    const mask = slots.length - 1;
    // The low bits come from the second hash; mixed once more so that probing spreads.
    let i = (Math.imul((hash % 0x100000000) >>> 0, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const at = slots[i]!;
      if (at === 0) {
        slots[i] = hash;
        return true;
      }
      if (at === hash) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    for (const hash of old) if (hash !== 0) KeyHashSet.insert(this.slots, hash);
  }
}
