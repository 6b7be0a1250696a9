import { GraphQLSchema } from 'graphql';
import { MikroORM } from '@mikro-orm/core';
import { NonEmptyArray } from 'type-graphql';
import {
  buildFederatedSchema,
  CatalogSource,
  createLogger,
  defaultServiceUrl,
  Logger,
  MigrationSet,
  openDatabase,
  remoteCatalog,
  RunningServer,
  startSubgraphServer,
  StoreVersion,
} from '@lgr/kit';
import { Domain } from '@lgr/schema';
import { createDomainContext } from './context';
import { loadDemoData, SeedCounts, SeedRecords } from './demo/seed';
import { SYNTHETIC_LABEL } from './demo/synthetic';
import { OBSERVATION_ENTITIES } from './entities';
import { adminUnitReference, observationResolvers } from './graphql/resolvers';
import { adminUnitType } from './graphql/types';
import { internalRoutes } from './routes';
import { readFeed, storeStats } from './store';

/** What makes a domain subgraph different from the other two: its domain, records and resolvers. */
export interface DomainDefinition {
  /** The catalogue domain whose indicators this subgraph owns. */
  readonly domain: Domain;
  /** Service name: logs, `/health`, the feed's `source` and the SQLite file `<dataDir>/<name>.sqlite`. */
  readonly name: string;
  /** MikroORM entities of the domain records (the observation and feed entities are added). */
  readonly entities?: readonly unknown[];
  /** The store's migrations (observation and feed tables included), run at start. */
  readonly migrations: MigrationSet;
  /** type-graphql resolvers of the domain records (the observation resolvers are added). */
  readonly resolvers?: readonly Function[];
  /** Types to include although no resolver returns them. */
  readonly orphanedTypes?: readonly Function[];
  /** Builds the domain's demo records from the demo figures; called inside the seeding transaction. */
  readonly seedRecords?: SeedRecords;
}

export interface DomainServiceOptions extends DomainDefinition {
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly dataDir: string;
  /** postgres:// URL of this service's own database; the embedded SQLite file when absent. */
  readonly databaseUrl?: string | undefined;
  /** Verifies the identity the gateway forwards. */
  readonly internalSecret: string;
  /** Base URL of the reference service, whose unit catalogue is copied; unused when `catalog` is given. */
  readonly referenceUrl?: string;
  /** A unit catalogue source to use instead of the reference service (tests). */
  readonly catalog?: CatalogSource;
  readonly logger?: Logger;
  readonly logLevel?: string;
  /** Load the demo data on start when the store holds no observations (default true). */
  readonly demoData?: boolean;
  /** Called with every SQL statement, e.g. to count statements in tests. */
  readonly onQuery?: (sql: string) => void;
}

export interface RunningDomainService extends RunningServer {
  readonly orm: MikroORM;
  readonly catalog: CatalogSource;
  /**
   * The start-up demo load: resolves with its counts, or null when the store already held figures,
   * demo data is off, or the service closed first; rejects when the load failed.
   */
  readonly demoLoad: Promise<SeedCounts | null>;
  /** Loads the demo data now (what `POST /internal/seed` does). */
  seed(): Promise<SeedCounts>;
}

/**
 * The GraphQL schema of a domain subgraph, built without a database (composition prints its SDL).
 */
export function buildDomainSchema(
  definition: Pick<DomainDefinition, 'domain' | 'resolvers' | 'orphanedTypes'>,
): Promise<GraphQLSchema> {
  const resolvers = [
    ...observationResolvers(definition.domain),
    ...(definition.resolvers ?? []),
  ] as NonEmptyArray<Function>;
  return buildFederatedSchema(
    { resolvers, orphanedTypes: [adminUnitType(definition.domain), ...(definition.orphanedTypes ?? [])] },
    adminUnitReference,
  );
}

/**
 * Starts a domain subgraph: opens its database, copies the unit catalogue, serves GraphQL (figures,
 * `recordObservations`, the domain's records) and the internal feed and seed routes, and loads the
 * demo data in the background when the store is empty.
 */
export async function startDomainService(options: DomainServiceOptions): Promise<RunningDomainService> {
  const logger = options.logger ?? createLogger(options.name, options.logLevel ?? 'info');
  const schema = await buildDomainSchema(options);
  const { orm, store } = await openDatabase({
    name: options.name,
    entities: [...OBSERVATION_ENTITIES, ...(options.entities ?? [])] as never,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    migrations: options.migrations,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  logger.info({ storeVersion: store.version, latest: store.latest, applied: store.applied }, 'store migrated');
  const ownCatalog = !options.catalog;
  const catalog =
    options.catalog ??
    remoteCatalog({
      referenceUrl: options.referenceUrl ?? defaultServiceUrl('reference'),
      internalSecret: options.internalSecret,
      logger,
    });

  let signalClose: () => void = () => undefined;
  const closing = new Promise<null>((resolve) => (signalClose = () => resolve(null)));
  let seeding: Promise<SeedCounts> | undefined;

  const seed = async (): Promise<SeedCounts> => {
    // Loads run one at a time; a second request waits for the first and then finds nothing to change.
    const previous = seeding?.catch(() => undefined);
    const run = (async () => {
      await previous;
      const units = await catalog.ready();
      const started = Date.now();
      const counts = await loadDemoData(orm.em.fork(), {
        domain: options.domain,
        source: options.name,
        catalog: units,
        seedRecords: options.seedRecords,
      });
      logger.info({ ...counts, ms: Date.now() - started }, 'demo data loaded');
      return counts;
    })();
    seeding = run;
    return run;
  };

  const demoLoad: Promise<SeedCounts | null> = (async () => {
    if (options.demoData === false) return null;
    const ready = await Promise.race([catalog.ready(), closing]);
    if (!ready) return null;
    const { observations } = await storeStats(orm.em.fork());
    if (observations > 0) return null;
    return seed();
  })();
  // Until the start-up load has finished the service reports itself unavailable, so that the platform
  // launcher starts analytics only once the demo figures are in the feed.
  let startupLoad: 'running' | 'done' = 'running';
  demoLoad.then(
    () => (startupLoad = 'done'),
    (error) => {
      startupLoad = 'done';
      logger.error({ err: error }, 'loading the demo data failed');
    },
  );

  let server: RunningServer;
  try {
    server = await startSubgraphServer({
      name: options.name,
      host: options.host ?? '127.0.0.1',
      port: options.port,
      schema,
      internalSecret: options.internalSecret,
      logger,
      context: (base) => createDomainContext(base, options.domain, orm.em, catalog),
      routes: internalRoutes({
        source: options.name,
        readFeedPage: (after, limit) => readFeed(orm.em.fork(), after, limit),
        seed,
        logger,
      }),
      health: async () => {
        if (startupLoad === 'running')
          throw new Error(`loading the demo data (unit catalogue: ${catalogState(catalog)})`);
        return {
          domain: options.domain,
          storeVersion: store.version,
          ...(await storeStats(orm.em.fork())),
          catalog: catalogState(catalog),
          demoData: { synthetic: SYNTHETIC_LABEL, report: 'Ngô Quyền (304) 2025S1 report figures' },
        };
      },
    });
  } catch (error) {
    signalClose();
    if (ownCatalog) catalog.close();
    await demoLoad.catch(() => undefined);
    await orm.close();
    throw error;
  }

  return {
    ...server,
    orm,
    catalog,
    demoLoad,
    seed,
    close: async () => {
      signalClose();
      await server.close();
      if (ownCatalog) catalog.close();
      await demoLoad.catch(() => undefined);
      await seeding?.catch(() => undefined);
      await orm.close();
    },
  };
}

/** Runs the domain store's pending migrations and closes it (`<service> migrate`). */
export async function migrateDomainStore(
  options: Pick<DomainServiceOptions, 'name' | 'entities' | 'migrations' | 'dataDir' | 'databaseUrl'>,
): Promise<StoreVersion> {
  const { orm, store } = await openDatabase({
    name: options.name,
    entities: [...OBSERVATION_ENTITIES, ...(options.entities ?? [])] as never,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    migrations: options.migrations,
  });
  await orm.close();
  return store;
}

function catalogState(catalog: CatalogSource): string {
  try {
    catalog.current();
    return 'ready';
  } catch {
    return 'waiting for the reference service';
  }
}
