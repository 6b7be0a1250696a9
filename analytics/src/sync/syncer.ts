import { CatalogSource, CatalogUnavailableError, Logger } from '@lgr/kit';
import { FEED_PAGE_SIZE, UnitCatalog } from '@lgr/schema';
import type { AnalyticsStore } from '../store';
import { fetchFeedPage, FeedHttpError, FeedProtocolError, ServiceCredentials, SourceName } from './feed-client';

/** Where one domain subgraph serves its change feed. */
export interface FeedSource {
  readonly name: SourceName;
  /** The subgraph's root URL, e.g. `http://127.0.0.1:4002`. */
  readonly url: string;
}

/** How far analytics has got with one feed, as `/health` and every aggregate answer report it. */
export interface SourceStatus {
  readonly name: SourceName;
  /** The feed position analytics has applied up to (persisted with the facts). */
  readonly lastSeq: number;
  /** When the last poll that reached the end of the feed finished (ISO 8601), null before the first. */
  readonly lastSyncedAt: string | null;
  /** Whether figures from this source may be behind: the last complete poll is too old, or polling fails. */
  readonly stale: boolean;
  /** Why polling fails, in words safe to show to any caller; null while it works. */
  readonly error: string | null;
  /** Whether the last poll came back with `hasMore: false`. */
  readonly caughtUp: boolean;
}

export interface CatalogueStatus {
  readonly loaded: boolean;
  readonly digest: string | null;
  readonly units: number;
  readonly error: string | null;
}

export interface SyncOptions {
  readonly store: AnalyticsStore;
  readonly catalog: CatalogSource;
  readonly sources: readonly FeedSource[];
  readonly internalSecret: string;
  readonly logger: Logger;
  /** Pause between polls of one feed. */
  readonly intervalMs: number;
  /** A source whose last complete poll is older than this is stale; default 4 intervals, at least 1 s. */
  readonly staleAfterMs?: number;
  /** Changes asked for per feed page; default the feed contract's `FEED_PAGE_SIZE`. */
  readonly pageSize?: number;
  /** Longest wait for one feed page. */
  readonly fetchTimeoutMs?: number;
}

interface SourceState {
  readonly source: FeedSource;
  cursor: number;
  lastSuccessAt: number | null;
  error: string | null;
  caughtUp: boolean;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Keeps the analytics store current: the unit catalogue whenever the reference service publishes a
 * new one, and each domain subgraph's change feed, polled from the cursor the store persisted. Each
 * feed page is applied in one store transaction together with the cursor, so a crash or restart at
 * any point neither loses nor doubles a change; a feed that fails is retried on the next poll while
 * the others carry on.
 */
export class Syncer {
  private readonly states: SourceState[];
  private readonly credentials: ServiceCredentials;
  private readonly abort = new AbortController();
  private readonly staleAfterMs: number;
  private readonly listeners = new Set<() => void>();
  private catalogDigest: string | null = null;
  private catalogUnits = 0;
  private catalogError: string | null = null;
  private catalogChain: Promise<void> = Promise.resolve();
  private closed = false;
  private started = false;
  private dataVersion = 0;

  constructor(private readonly options: SyncOptions) {
    this.states = options.sources.map((source) => ({
      source,
      cursor: 0,
      lastSuccessAt: null,
      error: null,
      caughtUp: false,
    }));
    this.credentials = new ServiceCredentials(options.internalSecret);
    this.staleAfterMs = options.staleAfterMs ?? Math.max(4 * options.intervalMs, 1000);
  }

  /**
   * Reads the persisted cursors and starts polling. Returns without waiting for the first polls, so
   * the service answers (and reports itself not caught up) while it catches up.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const state of this.states) state.cursor = await this.options.store.cursor(state.source.name);
    void this.options.catalog.ready().then((catalog) => this.catalogChanged(catalog));
    for (const state of this.states) this.schedule(state, 0);
  }

  /** Called with every new catalogue from the reference service; applies them in order. */
  catalogChanged(catalog: UnitCatalog): void {
    this.catalogChain = this.catalogChain.then(async () => {
      if (this.closed || catalog.digest() === this.catalogDigest) return;
      try {
        const changed = await this.options.store.syncCatalog(catalog);
        this.catalogDigest = catalog.digest();
        this.catalogUnits = catalog.units.length;
        this.catalogError = null;
        if (changed) this.changed();
        this.options.logger.info(
          { digest: this.catalogDigest, units: this.catalogUnits, changed },
          'unit catalogue synced',
        );
      } catch (error) {
        this.catalogError = 'the unit catalogue could not be stored';
        this.options.logger.error({ err: error }, 'unit catalogue sync failed');
      }
    });
  }

  /** Runs `listener` after every change to the stored facts or units (e.g. to refresh copies of them). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Grows by one whenever stored facts or units change. */
  get version(): number {
    return this.dataVersion;
  }

  /** The status of every feed at `now`. */
  sources(now = Date.now()): SourceStatus[] {
    return this.states.map((s) => ({
      name: s.source.name,
      lastSeq: s.cursor,
      lastSyncedAt: s.lastSuccessAt === null ? null : new Date(s.lastSuccessAt).toISOString(),
      stale: s.error !== null || s.lastSuccessAt === null || now - s.lastSuccessAt > this.staleAfterMs,
      error: s.error,
      caughtUp: s.caughtUp,
    }));
  }

  catalogue(): CatalogueStatus {
    let loaded = this.catalogDigest !== null;
    let error = this.catalogError;
    try {
      this.options.catalog.current();
    } catch (e) {
      loaded = false;
      if (e instanceof CatalogUnavailableError)
        error ??= 'the reference service has not delivered the unit catalogue yet';
      else throw e;
    }
    return { loaded, digest: this.catalogDigest, units: this.catalogUnits, error };
  }

  /** The unit catalogue is stored and every feed's last poll reached its end. */
  caughtUp(): boolean {
    return this.catalogue().loaded && this.states.every((s) => s.caughtUp && s.error === null);
  }

  /** Polls every feed now and waits until each has reached its end (or failed); for tests and tools. */
  async syncNow(): Promise<void> {
    await this.catalogChain;
    await Promise.all(this.states.map((s) => this.runPoll(s)));
  }

  /** Stops polling and waits for a page being applied to finish, so the store can be closed safely. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    for (const state of this.states) if (state.timer) clearTimeout(state.timer);
    await Promise.allSettled(this.states.map((s) => s.running));
    await this.catalogChain;
  }

  private schedule(state: SourceState, delayMs: number): void {
    if (this.closed) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.runPoll(state).then(() => this.schedule(state, this.options.intervalMs));
    }, delayMs);
  }

  /** One poll at a time per feed: a caller arriving during a poll waits for it and then polls again. */
  private runPoll(state: SourceState): Promise<void> {
    const previous = state.running ?? Promise.resolve();
    const next = previous.then(() => this.poll(state));
    state.running = next;
    return next;
  }

  private async poll(state: SourceState): Promise<void> {
    if (this.closed) return;
    const { name, url } = state.source;
    try {
      let hasMore = true;
      while (hasMore && !this.closed) {
        const page = await fetchFeedPage({
          source: name,
          url,
          after: state.cursor,
          limit: this.options.pageSize ?? FEED_PAGE_SIZE,
          credentials: this.credentials,
          timeoutMs: this.options.fetchTimeoutMs ?? 10_000,
          signal: this.abort.signal,
        });
        if (page.changes.length > 0 || page.lastSeq !== state.cursor) {
          await this.options.store.applyChanges(name, page.changes, page.lastSeq);
        }
        state.cursor = page.lastSeq;
        hasMore = page.hasMore;
        state.caughtUp = !hasMore;
        if (page.changes.length > 0) this.changed();
      }
      if (this.closed) return;
      state.lastSuccessAt = Date.now();
      if (state.error !== null) this.options.logger.info({ source: name }, 'feed reachable again');
      state.error = null;
    } catch (error) {
      if (this.closed) return;
      const message = publicReason(error, this.options.fetchTimeoutMs ?? 10_000);
      if (state.error !== message)
        this.options.logger.warn({ source: name, err: (error as Error).message }, 'feed poll failed');
      state.error = message;
      state.caughtUp = false;
    }
  }

  private changed(): void {
    this.dataVersion += 1;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.options.logger.error({ err: error }, 'change listener failed');
      }
    }
  }
}

/**
 * A reason for a failed poll that can be shown to any caller: whether the feed could not be reached,
 * answered with an error, broke its contract or could not be stored, without addresses or internals.
 */
export function publicReason(error: unknown, timeoutMs: number): string {
  if (error instanceof FeedHttpError) return `the feed answered HTTP ${error.status}`;
  if (error instanceof FeedProtocolError) return 'the feed answered with data that breaks the feed contract';
  const name = (error as Error)?.name;
  if (name === 'TimeoutError') return `the feed did not answer within ${timeoutMs} ms`;
  if (name === 'TypeError' && /fetch failed/.test((error as Error).message)) return 'the feed is unreachable';
  return "the feed's changes could not be applied";
}
