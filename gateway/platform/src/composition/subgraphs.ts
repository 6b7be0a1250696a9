import type { GraphQLSchema } from 'graphql';
import type { SubgraphName } from '@lgr/kit/services';

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * How to build each subgraph's schema without a database. The packages are required lazily: a
 * process prints one subgraph, and loading the others would mix their type-graphql metadata.
 */
export const SUBGRAPH_BUILDERS: Record<SubgraphName, () => Promise<GraphQLSchema>> = {
  reference: () => (require('@lgr/reference') as typeof import('@lgr/reference')).buildReferenceSchema(),
  party: () => (require('@lgr/party') as typeof import('@lgr/party')).buildPartySchema(),
  economy: () => (require('@lgr/economy') as typeof import('@lgr/economy')).buildEconomySchema(),
  social: () => (require('@lgr/social') as typeof import('@lgr/social')).buildSocialSchema(),
  analytics: () => (require('@lgr/analytics') as typeof import('@lgr/analytics')).buildAnalyticsSchema(),
};
