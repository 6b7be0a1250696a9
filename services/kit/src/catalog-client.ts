import { LineageLink, UnitCatalog, UnitVersion } from '@lgr/schema';
import { Identity, IDENTITY_HEADER, SERVICE_IDENTITY, signForwardedIdentity } from './identity';
import { Logger } from './logger';

/** The JSON the reference service serves at `/internal/catalog`. */
export interface CatalogSnapshot {
  readonly digest: string;
  readonly units: UnitVersion[];
  readonly links: LineageLink[];
}

/** Thrown while no copy of the unit catalogue has been fetched yet. */
export class CatalogUnavailableError extends Error {
  constructor(url: string, cause?: unknown) {
    super(`The unit catalogue from ${url} is not available yet${cause ? `: ${(cause as Error).message}` : ''}`);
    this.name = 'CatalogUnavailableError';
  }
}

export interface CatalogSource {
  /** The current catalogue; throws {@link CatalogUnavailableError} until one is available. */
  current(): UnitCatalog;
  /** Resolves once a catalogue is available. */
  ready(): Promise<UnitCatalog>;
  close(): void;
}

/** A fixed catalogue, for tests and for the reference service itself. */
export function staticCatalog(catalog: UnitCatalog): CatalogSource {
  return { current: () => catalog, ready: async () => catalog, close: () => undefined };
}

/**
 * Keeps a copy of the reference service's unit catalogue: fetches it (retrying until the reference
 * service answers), then checks for a newer one every `refreshMs`, so a change in the reference data
 * reaches every service without a restart.
 */
export function remoteCatalog(options: {
  referenceUrl: string;
  internalSecret: string;
  logger: Logger;
  refreshMs?: number;
  retryMs?: number;
  onChange?: (catalog: UnitCatalog) => void;
}): CatalogSource {
  const url = new URL('/internal/catalog', options.referenceUrl).toString();
  let catalog: UnitCatalog | undefined;
  let lastError: unknown;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const waiters: ((c: UnitCatalog) => void)[] = [];

  const fetchOnce = async (): Promise<void> => {
    const headers: Record<string, string> = {
      [IDENTITY_HEADER]: await signForwardedIdentity(SERVICE_IDENTITY as Identity, options.internalSecret),
    };
    if (catalog) headers['if-none-match'] = catalog.digest();
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    if (res.status === 304) return;
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    const snapshot = (await res.json()) as CatalogSnapshot;
    catalog = new UnitCatalog(snapshot.units, snapshot.links);
    options.logger.info({ units: snapshot.units.length, digest: catalog.digest() }, 'unit catalogue loaded');
    options.onChange?.(catalog);
    for (const w of waiters.splice(0)) w(catalog);
  };

  const loop = async (): Promise<void> => {
    if (closed) return;
    try {
      await fetchOnce();
      lastError = undefined;
    } catch (error) {
      lastError = error;
      if (!catalog) options.logger.warn({ err: (error as Error).message }, 'waiting for the reference service');
    }
    if (!closed) timer = setTimeout(loop, catalog ? (options.refreshMs ?? 30_000) : (options.retryMs ?? 500));
  };
  void loop();

  return {
    current: () => {
      if (!catalog) throw new CatalogUnavailableError(url, lastError);
      return catalog;
    },
    ready: () => (catalog ? Promise.resolve(catalog) : new Promise((r) => waiters.push(r))),
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
