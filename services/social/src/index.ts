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
import { seedSocialRecords } from './demo';
import { SOCIAL_ENTITIES } from './entities';
import { SOCIAL_MIGRATIONS } from './migrations';
import { SocialRecordsResolver } from './resolvers';

export * from './entities';
export { SOCIAL_MIGRATIONS } from './migrations';
export { SocialRecordsResolver } from './resolvers';
export { seedSocialRecords } from './demo';

/** The social subgraph: figures of the SOCIAL indicators (social security, defence, public order, culture) and recruitment quotas. */
export const SOCIAL: DomainDefinition = {
  domain: 'SOCIAL',
  name: 'social',
  entities: SOCIAL_ENTITIES,
  migrations: SOCIAL_MIGRATIONS,
  resolvers: [SocialRecordsResolver],
  seedRecords: seedSocialRecords,
};

/** The social subgraph's schema, built without a database (for composition). */
export function buildSocialSchema(): Promise<GraphQLSchema> {
  return buildDomainSchema(SOCIAL);
}

export interface SocialStartOptions extends DomainServiceConfig {
  readonly catalog?: CatalogSource;
  readonly logger?: Logger;
  readonly onQuery?: (sql: string) => void;
}

/** Starts the social subgraph; `port: 0` picks a free port. */
export function start(options: SocialStartOptions): Promise<RunningDomainService> {
  return startDomainService({ ...SOCIAL, ...options });
}

/** Runs the social store's pending migrations (`node dist/main.js migrate`). */
export function migrate(options: DomainServiceConfig): Promise<StoreVersion> {
  return migrateDomainStore({ ...SOCIAL, ...options });
}
