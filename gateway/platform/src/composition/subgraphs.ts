import type { GraphQLSchema } from 'graphql';
import type { SubgraphName } from '@lgr/gateway';

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * How to build each subgraph's schema without a database, and its development port. The packages
 * are required lazily: only composition loads subgraph code, never the running gateway.
 */
export const SUBGRAPH_BUILDERS: Record<SubgraphName, () => Promise<GraphQLSchema>> = {
  reference: () => require('@lgr/reference').buildReferenceSchema(),
  party: () => require('@lgr/party').buildPartySchema(),
  economy: () => require('@lgr/economy').buildEconomySchema(),
  social: () => require('@lgr/social').buildSocialSchema(),
  analytics: () => require('@lgr/analytics').buildAnalyticsSchema(),
};

export const SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  reference: 4001,
  party: 4002,
  economy: 4003,
  social: 4004,
  analytics: 4005,
};
