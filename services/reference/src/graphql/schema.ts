import { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@lgr/kit';
import { findIndicator } from '@lgr/schema';
import { ReferenceContext } from '../context';
import { UnitRecord } from '../units';
import { findTerm, IndicatorResolver, TermResolver } from './catalogue-resolvers';
import { AdminUnitResolver } from './unit-resolver';

/**
 * The reference subgraph's schema. It needs no database: resolvers reach the store only through the
 * per-request context, so composition can print the SDL in-process.
 */
export async function buildReferenceSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [AdminUnitResolver, IndicatorResolver, TermResolver] },
    {
      AdminUnit: {
        // The gateway sends one reference per occurrence; the loader turns them into one statement.
        __resolveReference: (ref: { id: string }, ctx: ReferenceContext): Promise<UnitRecord | null> =>
          ctx.loaders.unitById.load(ref.id),
      },
      Indicator: { __resolveReference: (ref: { code: string }) => findIndicator(ref.code) ?? null },
      Term: { __resolveReference: (ref: { code: string }) => findTerm(ref.code) ?? null },
    },
  );
}
