/**
 * A map of at most `capacity` entries, each good until its own expiry time; past the capacity the
 * least recently used entry goes, so that callers sending new keys (tokens, documents) cannot grow it.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value stored for `key` while it is still good, else undefined (and the entry is dropped). */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= this.now()) return undefined;
    // Re-inserted, it becomes the most recently used: Map keeps insertion order.
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `key` until `until` (milliseconds since the epoch). */
  set(key: K, value: V, until: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}
