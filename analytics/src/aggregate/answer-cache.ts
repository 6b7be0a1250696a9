/*
 * Answers kept for reuse. Dashboards ask the same questions over and over, while the figures change
 * only when a feed batch or a new unit catalogue is stored; an answer is kept under the state of the
 * data it was computed from (its generation: the store's version and the catalogue's digest) and is
 * never served for another. The store's version grows right after a write is committed, so the first
 * question after a change misses and is computed afresh.
 */

/** The state of the data an answer was computed from. */
export interface Generation {
  /** The store's version (`AnalyticsStore.version`), read before the answer was computed. */
  readonly version: number;
  /** The digest of the unit catalogue the answer was planned with. */
  readonly digest: string;
}

/** How much an {@link AnswerCache} keeps. */
export interface AnswerCacheOptions {
  /** Most answers kept; 0 keeps none. */
  readonly maxEntries: number;
  /** Most bytes kept, as estimated for each answer; an answer larger than a quarter of this is not kept. */
  readonly maxBytes: number;
}

/** What an {@link AnswerCache} has done so far. */
export interface AnswerCacheStats {
  readonly entries: number;
  readonly bytes: number;
  /** Answers served from the cache. */
  readonly hits: number;
  /** Answers computed. */
  readonly misses: number;
  /** Answers that waited for the same answer being computed for another caller. */
  readonly shared: number;
  /** Answers dropped to stay within the bounds. */
  readonly evictions: number;
}

interface Entry {
  readonly value: unknown;
  readonly bytes: number;
}

/** An answer being computed, which callers asking the same meanwhile wait for. */
export interface PendingAnswer<T> {
  /** Keeps the answer (when its generation is still the current one) and hands it to those waiting. */
  resolve(value: T, bytes: number): void;
  /** Hands the error to those waiting; errors are never kept. */
  reject(error: unknown): void;
}

/** What {@link AnswerCache.find} found: a kept answer, or one being computed. */
export type Found<T> = { readonly value: T } | { readonly pending: Promise<T> };

/**
 * A bounded store of answers, least recently used out first, by number of entries and estimated
 * bytes. Keys are scoped to a generation: a newer generation drops every older answer at once, and an
 * answer computed for an older generation than the current one is handed out but not kept.
 */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private current: Generation | null = null;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private shared = 0;
  private evictions = 0;

  constructor(private readonly options: AnswerCacheOptions) {}

  /**
   * The answer for `key` in `generation`: the kept one, the one being computed for an earlier caller,
   * or a new one from `compute`, kept when `sizeOf` says it fits. Errors are passed on, never kept.
   */
  async get<T>(
    generation: Generation,
    key: string,
    compute: () => Promise<T>,
    sizeOf: (value: T) => number,
  ): Promise<T> {
    const found = this.find<T>(generation, key);
    if (found) return 'value' in found ? found.value : found.pending;
    const pending = this.begin<T>(generation, key);
    let value: T;
    try {
      value = await compute();
    } catch (error) {
      pending.reject(error);
      throw error;
    }
    pending.resolve(value, sizeOf(value));
    return value;
  }

  /** The kept answer for `key` in `generation`, or the one being computed; undefined when neither. */
  find<T>(generation: Generation, key: string): Found<T> | undefined {
    this.advance(generation);
    const full = fullKey(generation, key);
    const entry = this.entries.get(full);
    if (entry) {
      // Most recently used last: the first entry is the one to drop.
      this.entries.delete(full);
      this.entries.set(full, entry);
      this.hits += 1;
      return { value: entry.value as T };
    }
    const pending = this.pending.get(full);
    if (pending) {
      this.shared += 1;
      return { pending: pending as Promise<T> };
    }
    return undefined;
  }

  /**
   * The kept answer for `key`, or else the one kept (or being computed) for `wider`, a question whose
   * answer holds this one's, made into it by `narrow`; undefined when neither.
   */
  findWithin<T>(generation: Generation, key: string, wider: string, narrow: (answer: T) => T): Found<T> | undefined {
    const found = this.find<T>(generation, key);
    if (found || wider === key) return found;
    const held = this.find<T>(generation, wider);
    if (!held) return undefined;
    return 'value' in held ? { value: narrow(held.value) } : { pending: held.pending.then(narrow) };
  }

  /**
   * Marks the answer for `key` in `generation` as being computed: callers that `find` it meanwhile wait
   * for it. Exactly one of `resolve` and `reject` must be called.
   */
  begin<T>(generation: Generation, key: string): PendingAnswer<T> {
    this.misses += 1;
    const full = fullKey(generation, key);
    let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };
    const promise = new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Nobody may be waiting; an error nobody waits for is not an unhandled rejection.
    promise.catch(() => undefined);
    this.pending.set(full, promise);
    const done = () => {
      if (this.pending.get(full) === promise) this.pending.delete(full);
    };
    return {
      resolve: (value, bytes) => {
        done();
        this.put(generation, key, value, bytes);
        settle.resolve(value);
      },
      reject: (error) => {
        done();
        settle.reject(error);
      },
    };
  }

  /** Keeps an answer computed for `generation`, unless a newer generation has been seen or it is too large. */
  put(generation: Generation, key: string, value: unknown, bytes: number): void {
    if (!this.isCurrent(generation) || this.options.maxEntries <= 0 || bytes > this.options.maxBytes / 4) return;
    const full = fullKey(generation, key);
    const old = this.entries.get(full);
    if (old) {
      this.entries.delete(full);
      this.bytes -= old.bytes;
    }
    this.entries.set(full, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
      this.evictions += 1;
    }
  }

  /** Drops every kept answer. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): AnswerCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      hits: this.hits,
      misses: this.misses,
      shared: this.shared,
      evictions: this.evictions,
    };
  }

  /** A newer generation makes every kept answer useless: they are dropped at once. */
  private advance(generation: Generation): void {
    const current = this.current;
    if (
      current &&
      (generation.version < current.version ||
        (generation.version === current.version && generation.digest === current.digest))
    )
      return;
    this.current = generation;
    this.clear();
  }

  private isCurrent(generation: Generation): boolean {
    this.advance(generation);
    return this.current!.version === generation.version && this.current!.digest === generation.digest;
  }
}

function fullKey(generation: Generation, key: string): string {
  return `${generation.version}\u0000${generation.digest}\u0000${key}`;
}
