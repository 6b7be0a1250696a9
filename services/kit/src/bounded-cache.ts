/**
 * A map of at most `capacity` entries, each good until its own expiry time; past the capacity the
 * least recently used entry goes, so that callers sending new keys (tokens, documents) cannot grow it.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  /** The most recently used key: asked again, it is already where a use would move it. */
  private newest: K | undefined;

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value stored for `key` while it is still good, else undefined (and the entry is dropped). */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (key !== this.newest) {
      // Re-inserted, it becomes the most recently used: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.newest = key;
    }
    return entry.value;
  }

  /** Stores `value` for `key` until `until` (milliseconds since the epoch). */
  set(key: K, value: V, until: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    this.newest = key;
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}
