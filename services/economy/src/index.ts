import { GraphQLSchema } from 'graphql';
import {
  buildDomainSchema,
  DomainDefinition,
  DomainServiceConfig,
  migrateDomainStore,
  RunningDomainService,
  startDomainService,
} from '@lgr/observations';
import type { CatalogSource, Logger, StoreVersion } from '@lgr/kit';
import { seedEconomyRecords } from './demo';
import { ECONOMY_ENTITIES } from './entities';
import { ECONOMY_MIGRATIONS } from './migrations';
import { EconomyRecordsResolver } from './resolvers';

export * from './entities';
export { ECONOMY_MIGRATIONS } from './migrations';
export { EconomyRecordsResolver } from './resolvers';
export { seedEconomyRecords } from './demo';

/** The economy subgraph: figures of the ECONOMY indicators and budget estimates. */
export const ECONOMY: DomainDefinition = {
  domain: 'ECONOMY',
  name: 'economy',
  entities: ECONOMY_ENTITIES,
  migrations: ECONOMY_MIGRATIONS,
  resolvers: [EconomyRecordsResolver],
  seedRecords: seedEconomyRecords,
};

/** The economy subgraph's schema, built without a database (for composition). */
export function buildEconomySchema(): Promise<GraphQLSchema> {
  return buildDomainSchema(ECONOMY);
}

export interface EconomyStartOptions extends DomainServiceConfig {
  readonly catalog?: CatalogSource;
  readonly logger?: Logger;
  readonly onQuery?: (sql: string) => void;
}

/** Starts the economy subgraph; `port: 0` picks a free port. */
export function start(options: EconomyStartOptions): Promise<RunningDomainService> {
  return startDomainService({ ...ECONOMY, ...options });
}

/** Runs the economy store's pending migrations (`node dist/main.js migrate`). */
export function migrate(options: DomainServiceConfig): Promise<StoreVersion> {
  return migrateDomainStore({ ...ECONOMY, ...options });
}
