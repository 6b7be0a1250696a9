import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { DateScalar } from '@lgr/kit';
import { computeAggregate } from '../aggregate/service';
import type { AnalyticsContext } from './context';
import type { IndicatorValue } from './indicator-loader';
import { AdminUnitRef, AggregateQueryInput, AggregateResultType, IndicatorValueType } from './types';

@Resolver()
export class AggregateResolver {
  @Query(() => AggregateResultType, {
    nullable: true,
    description:
      'Figures rolled up across units, periods, terms and boundaries by the rules of DESIGN.md section 3. Null (with an error) when analytics cannot answer, so the rest of a query still does.',
  })
  async aggregate(@Arg('query', () => AggregateQueryInput) query: AggregateQueryInput, @Ctx() ctx: AnalyticsContext): Promise<AggregateResultType> {
    const answer = await computeAggregate(ctx.services, ctx.identity, query);
    return {
      rows: answer.rows.map((row) => ({
        indicator: { code: row.indicator },
        unit: { id: row.unitId },
        period: row.period,
        term: row.term,
        value: row.value,
        target: row.target,
        achievementPct: row.achievementPct,
        samePeriodValue: row.samePeriodValue,
        samePeriodPct: row.samePeriodPct,
        complete: row.complete,
        total: row.total,
        boundariesAsOf: row.boundariesAsOf,
      })),
      sources: answer.sources.map(({ name, lastSeq, lastSyncedAt, stale, error }) => ({ name, lastSeq, lastSyncedAt, stale, error })),
      stale: answer.stale,
    };
  }
}

@Resolver(() => AdminUnitRef)
export class AdminUnitIndicatorResolver {
  @FieldResolver(() => IndicatorValueType, {
    nullable: true,
    description: "One indicator of this unit for one period (as `aggregate` computes it); null when the unit is outside the caller's units",
  })
  indicator(
    @Root() unit: AdminUnitRef,
    @Arg('code', () => String) code: string,
    @Arg('period', () => String) period: string,
    @Arg('boundariesAsOf', () => DateScalar, { nullable: true }) boundariesAsOf: string | null | undefined,
    @Ctx() ctx: AnalyticsContext,
  ): Promise<IndicatorValue | null> {
    return ctx.indicatorValues.load({ unitId: unit.id, code, period, boundariesAsOf: boundariesAsOf ?? null });
  }
}
