import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/core';
import { createLogger, Logger, openDatabase, RunningServer, startSubgraphServer, StoreVersion } from '@lgr/kit';
import { CatalogStore } from './catalog-store';
import { createReferenceContext } from './context';
import { ENTITIES } from './entities';
import { REFERENCE_MIGRATIONS } from './migrations';
import { buildReferenceSchema } from './graphql/schema';
import { internalRoutes } from './internal-routes';
import { loadReferenceData, LoadResult } from './load';

export { buildReferenceSchema } from './graphql/schema';
export { loadReferenceData } from './load';
export type { LoadResult } from './load';
export { CatalogStore } from './catalog-store';
export type { StoredCatalog } from './catalog-store';
export type { ReferenceContext } from './context';
export { REFERENCE_MIGRATIONS } from './migrations';
export { ADMIN_UNITS_META, ENTITIES, UnitVersionEntity, LineageLinkEntity, ReferenceMetaEntity } from './entities';
export { searchKey } from './search';
export { loadAdminUnits, RECORDS_START, REFORM_DATE, PRE_REFORM_END, AdminUnitDataError } from './data/admin-units';
export { MAX_PAGE } from './graphql/unit-resolver';

/** The official unit lists shipped with the service. */
export const DEFAULT_UNITS_DIR = join(__dirname, '..', 'data', 'admin-units');

export interface ReferenceOptions {
  readonly port: number;
  readonly host: string;
  /** Where the SQLite file `reference.sqlite` lives when no databaseUrl is given. */
  readonly dataDir: string;
  /** postgres:// URL; the embedded SQLite store is used without it. */
  readonly databaseUrl?: string | undefined;
  /** Directory with the administrative-unit CSV files; the shipped data by default. */
  readonly unitsDir?: string | undefined;
  /** Verifies identities forwarded by the gateway and other services. */
  readonly internalSecret: string;
  readonly logLevel: string;
  /** Called with every SQL statement (to count them in tests). */
  readonly onQuery?: (sql: string) => void;
  readonly logger?: Logger;
}

export interface ReferenceServer extends RunningServer {
  /** What the start did with the unit files. */
  readonly load: LoadResult;
  /** Milliseconds from the call to a listening server. */
  readonly startMs: number;
  readonly orm: MikroORM;
}

/**
 * Starts the reference subgraph: opens its store, loads the administrative units when the files
 * changed, and serves `/graphql` and `/internal/catalog`.
 */
export async function start(options: ReferenceOptions): Promise<ReferenceServer> {
  const t0 = performance.now();
  const log = options.logger ?? createLogger('reference', options.logLevel);
  const { orm, store: storeVersion } = await openDatabase({
    name: 'reference',
    entities: ENTITIES,
    migrations: REFERENCE_MIGRATIONS,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  log.info(
    { storeVersion: storeVersion.version, latest: storeVersion.latest, applied: storeVersion.applied },
    'store migrated',
  );
  try {
    const load = await loadReferenceData(orm, options.unitsDir ?? DEFAULT_UNITS_DIR, log);
    const store = new CatalogStore(orm, log);
    // Read the catalogue back once now, so the first services asking for it do not wait.
    await store.current();
    const server = await startSubgraphServer({
      name: 'reference',
      host: options.host,
      port: options.port,
      schema: await buildReferenceSchema(),
      internalSecret: options.internalSecret,
      logger: log,
      context: (base) => createReferenceContext(base, orm, store),
      routes: internalRoutes(store),
      health: async () => ({
        digest: (await store.current()).digest,
        units: load.units,
        storeVersion: storeVersion.version,
      }),
    });
    const startMs = Math.round(performance.now() - t0);
    log.info({ status: load.status, digest: load.digest, startMs }, 'reference data ready');
    return {
      url: server.url,
      port: server.port,
      metrics: server.metrics,
      load,
      startMs,
      orm,
      close: async () => {
        await server.close();
        await orm.close();
      },
    };
  } catch (error) {
    await orm.close();
    throw error;
  }
}

/** Runs the reference store's pending migrations and closes it (`node dist/main.js migrate`). */
export async function migrate(options: Pick<ReferenceOptions, 'dataDir' | 'databaseUrl'>): Promise<StoreVersion> {
  const { orm, store } = await openDatabase({
    name: 'reference',
    entities: ENTITIES,
    migrations: REFERENCE_MIGRATIONS,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
  });
  await orm.close();
  return store;
}
