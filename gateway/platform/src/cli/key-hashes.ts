/** FNV-1a over the UTF-16 code units of `key`, never 0 (0 marks an empty slot). */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/**
 * A set of 32-bit key hashes in one typed array (4 to 8 bytes per key instead of the key's string),
 * so that repeats can be found in a file of any number of rows without holding its keys. Two keys
 * can share a hash: a hash seen again only makes its row a suspect, which the caller settles by
 * comparing the exact keys of the few suspect rows.
 */
export class KeyHashSet {
  private slots = new Uint32Array(1 << 16);
  private count = 0;

  /** Adds `hash`; returns false when it was already there. */
  add(hash: number): boolean {
    if ((this.count + 1) * 4 > this.slots.length * 3) this.grow();
    const added = KeyHashSet.insert(this.slots, hash);
    if (added) this.count += 1;
    return added;
  }

  get size(): number {
    return this.count;
  }

  private static insert(slots: Uint32Array, hash: number): boolean {
    const mask = slots.length - 1;
    let i = (Math.imul(hash, 0x9e3779b1) >>> 0) & mask;
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
    this.slots = new Uint32Array(old.length * 2);
    for (const hash of old) if (hash !== 0) KeyHashSet.insert(this.slots, hash);
  }
}
