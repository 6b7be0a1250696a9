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
import { seedPartyRecords } from './demo';
import { PARTY_ENTITIES } from './entities';
import { PARTY_MIGRATIONS } from './migrations';
import { PartyRecordsResolver } from './resolvers';

export * from './entities';
export { PARTY_MIGRATIONS } from './migrations';
export { PartyRecordsResolver, summariseTargets } from './resolvers';
export { seedPartyRecords, REPORT_OUTSTANDING_TARGETS, TARGET_TITLES } from './demo';

/** The party subgraph: figures of the PARTY indicators, Party organisations, congresses, resolution targets. */
export const PARTY: DomainDefinition = {
  domain: 'PARTY',
  name: 'party',
  entities: PARTY_ENTITIES,
  migrations: PARTY_MIGRATIONS,
  resolvers: [PartyRecordsResolver],
  seedRecords: seedPartyRecords,
};

/** The party subgraph's schema, built without a database (for composition). */
export function buildPartySchema(): Promise<GraphQLSchema> {
  return buildDomainSchema(PARTY);
}

export interface PartyStartOptions extends DomainServiceConfig {
  readonly catalog?: CatalogSource;
  readonly logger?: Logger;
  readonly onQuery?: (sql: string) => void;
}

/** Starts the party subgraph; `port: 0` picks a free port. */
export function start(options: PartyStartOptions): Promise<RunningDomainService> {
  return startDomainService({ ...PARTY, ...options });
}

/** Runs the party store's pending migrations (`node dist/main.js migrate`). */
export function migrate(options: DomainServiceConfig): Promise<StoreVersion> {
  return migrateDomainStore({ ...PARTY, ...options });
}
