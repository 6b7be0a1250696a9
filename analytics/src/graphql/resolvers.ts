import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { DateScalar, LevelEnum } from '@lgr/kit';
import type { Level } from '@lgr/schema';
import type { AggregateRow } from '../engine';
import { computeReportingStatus, ReportingUnit } from '../aggregate/reporting-status';
import { computeAggregate } from '../aggregate/service';
import type { AnalyticsContext } from './context';
import type { IndicatorValue } from './indicator-loader';
import { selectedMeasures, selectedValueMeasures } from './measures';
import {
  AdminUnitRef,
  AggregateQueryInput,
  AggregateResultType,
  AggregateRowType,
  IndicatorValueType,
  ReportingStatusType,
  ReportingUnitType,
} from './types';

function rowOf(row: AggregateRow): AggregateRowType {
  return {
    indicator: { code: row.indicator },
    unit: { id: row.unitId },
    period: row.period,
    periods: row.periods,
    term: row.term,
    value: row.value,
    target: row.target,
    achievementPct: row.achievementPct,
    samePeriodValue: row.samePeriodValue,
    samePeriodPct: row.samePeriodPct,
    complete: row.complete,
    coverage: row.coverage,
    targetMet: row.targetMet,
    note: row.note,
    total: row.total,
    boundariesAsOf: row.boundariesAsOf,
  };
}

function reportingUnitOf(u: ReportingUnit): ReportingUnitType {
  return { unit: { id: u.unitId }, value: u.value, coverage: u.coverage };
}

@Resolver()
export class AggregateResolver {
  @Query(() => AggregateResultType, {
    nullable: true,
    description:
      'Figures rolled up across units, periods, terms and boundaries by the rules of DESIGN.md section 3. Null (with an error) when analytics cannot answer, so the rest of a query still does.',
  })
  async aggregate(
    @Arg('query', () => AggregateQueryInput) query: AggregateQueryInput,
    @Ctx() ctx: AnalyticsContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<AggregateResultType> {
    const answer = await computeAggregate(ctx.services, ctx.identity, { ...query, measures: selectedMeasures(info) });
    return {
      rows: answer.rows.map(rowOf),
      sources: answer.sources.map(({ name, lastSeq, lastSyncedAt, stale, error }) => ({
        name,
        lastSeq,
        lastSyncedAt,
        stale,
        error,
      })),
      stale: answer.stale,
    };
  }

  @Query(() => ReportingStatusType, {
    nullable: true,
    description:
      "Who has reported an indicator for a period: the units at a level (default COMMUNE) inside a unit, with expected, actual and rate (DHIS2's reporting rate) and the units that reported part of the period or nothing",
  })
  async reportingStatus(
    @Arg('indicator', () => String) indicator: string,
    @Arg('unit', () => String, { description: 'A unit code (resolved on the boundaries date) or a unit version id' })
    unit: string,
    @Arg('period', () => String) period: string,
    @Arg('level', () => LevelEnum, { nullable: true, description: 'The level of the units counted (default COMMUNE)' })
    level: Level | null | undefined,
    @Arg('boundariesAsOf', () => DateScalar, { nullable: true }) boundariesAsOf: string | null | undefined,
    @Ctx() ctx: AnalyticsContext,
  ): Promise<ReportingStatusType> {
    const s = await computeReportingStatus(ctx.services, ctx.identity, {
      indicator,
      unit,
      period,
      level: level ?? null,
      boundariesAsOf: boundariesAsOf ?? null,
    });
    return {
      indicator: { code: s.indicator },
      unit: { id: s.unitId },
      period: s.period,
      level: s.level,
      boundariesAsOf: s.boundariesAsOf,
      expected: s.expected,
      actual: s.actual,
      rate: s.rate,
      coverage: s.coverage,
      reported: s.reported.map(reportingUnitOf),
      partial: s.partial.map(reportingUnitOf),
      missing: s.missing.map(reportingUnitOf),
    };
  }
}

@Resolver(() => AdminUnitRef)
export class AdminUnitIndicatorResolver {
  @FieldResolver(() => IndicatorValueType, {
    nullable: true,
    description:
      "One indicator of this unit for one period (as `aggregate` computes it); null when the unit is outside the caller's units",
  })
  indicator(
    @Root() unit: AdminUnitRef,
    @Arg('code', () => String) code: string,
    @Arg('period', () => String) period: string,
    @Arg('boundariesAsOf', () => DateScalar, { nullable: true }) boundariesAsOf: string | null | undefined,
    @Ctx() ctx: AnalyticsContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<IndicatorValue | null> {
    return ctx.indicatorValues.load({
      unitId: unit.id,
      code,
      period,
      boundariesAsOf: boundariesAsOf ?? null,
      measures: selectedValueMeasures(info),
    });
  }
}
