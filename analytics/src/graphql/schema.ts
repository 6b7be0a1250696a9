import { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@lgr/kit';
import { AdminUnitIndicatorResolver, AggregateResolver } from './resolvers';
import { IndicatorRef, registerAnalyticsEnums } from './types';
import { registerReportEnums } from '../report/graphql-types';
import { ReportResolver } from '../report/resolver';

/**
 * The analytics subgraph's schema. It needs no database (the gateway's composition script prints its
 * SDL); resolvers reach DuckDB through the per-request context.
 */
export async function buildAnalyticsSchema(): Promise<GraphQLSchema> {
  registerAnalyticsEnums();
  registerReportEnums();
  return buildFederatedSchema(
    { resolvers: [AggregateResolver, AdminUnitIndicatorResolver, ReportResolver], orphanedTypes: [IndicatorRef] },
    { AdminUnit: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  );
}
