import { ArrayMaxSize, ArrayNotEmpty, MaxLength } from 'class-validator';
import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar, GrainEnum, LevelEnum } from '@lgr/kit';
import type { Grain, Level } from '@lgr/schema';
import { MAX_QUERY_INDICATORS, MAX_QUERY_PERIODS, MAX_QUERY_UNITS } from '../aggregate/limits';

export const AggregateGroupEnum = { INDICATOR: 'INDICATOR', UNIT: 'UNIT', PERIOD: 'PERIOD', TERM: 'TERM' } as const;
export type AggregateGroup = keyof typeof AggregateGroupEnum;

let enumsRegistered = false;

/** Registers the enums this subgraph defines (the shared ones are registered by @lgr/kit). */
export function registerAnalyticsEnums(): void {
  if (enumsRegistered) return;
  enumsRegistered = true;
  registerEnumType(AggregateGroupEnum, {
    name: 'AggregateGroup',
    description: 'What rows are grouped by; TERM groups periods into the congress terms that contain them',
  });
}

// The entity stubs carry no descriptions, so the supergraph shows the owning (reference) subgraph's.

/** A unit version, owned by the reference subgraph; analytics adds `indicator`. */
@ObjectType('AdminUnit')
@Directive('@key(fields: "id")')
export class AdminUnitRef {
  @Field(() => ID)
  id!: string;
}

/** An indicator of the catalogue, owned by the reference subgraph; analytics only refers to it. */
@ObjectType('Indicator')
@Directive('@key(fields: "code", resolvable: false)')
export class IndicatorRef {
  @Field(() => String)
  code!: string;
}

@InputType('AggregateQuery', {
  description:
    'Which figures to compute: indicators x units x periods (a list, or from/to with a grain), optionally broken down to a level inside each unit, on the boundaries of a date',
})
export class AggregateQueryInput {
  @Field(() => [String], { description: 'Indicator codes, e.g. PB_NEW_MEMBERS' })
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_QUERY_INDICATORS)
  @MaxLength(64, { each: true })
  indicators!: string[];

  @Field(() => [String], {
    description: 'Unit codes (resolved on the boundaries date) or unit version ids (`<code>@<validFrom>`)',
  })
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_QUERY_UNITS)
  @MaxLength(64, { each: true })
  units!: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Period codes: 2025, 2025S1, 2025Q3, 202507 or a term such as 2020-2025',
  })
  @ArrayMaxSize(MAX_QUERY_PERIODS)
  @MaxLength(16, { each: true })
  periods?: string[] | null;

  @Field(() => String, { nullable: true, description: 'First period of a range (with `to` and `grain`)' })
  @MaxLength(16)
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Last period of a range (with `from` and `grain`)' })
  @MaxLength(16)
  to?: string | null;

  @Field(() => GrainEnum, { nullable: true, description: 'Length of the periods of a range' })
  grain?: Grain | null;

  @Field(() => LevelEnum, { nullable: true, description: 'One row per unit at this level inside each requested unit' })
  level?: Level | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'Answer on the unit boundaries valid on this date (default: the last day of each period)',
  })
  boundariesAsOf?: string | null;

  @Field(() => [AggregateGroupEnum], {
    nullable: true,
    description: 'Dimensions of the rows (default: indicator, unit and period)',
  })
  @ArrayMaxSize(4)
  groupBy?: AggregateGroup[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Add a total row over the grouped units' })
  totals?: boolean | null;
}

@ObjectType('Coverage', {
  description:
    'How much of a number was reported (DESIGN.md 3 rule 9): the share, from 0 to 1, of the leaf-months (leaves for a stock) it stands for that recorded figures account for. 1 is fully reported; a sum over 2 of 114 wards that reported is 0.0175',
})
export class CoverageType {
  @Field(() => Float, { description: 'Coverage of `value`' })
  value!: number;

  @Field(() => Float, {
    description: 'Coverage of `target` over the target period (a ratio target: 1 where it was set, else 0)',
  })
  target!: number;

  @Field(() => Float, { description: 'Coverage of the year-to-date value `achievementPct` is computed from' })
  yearToDate!: number;

  @Field(() => Float, { description: 'Coverage of `samePeriodValue`' })
  samePeriod!: number;
}

@ObjectType('AggregateRow', {
  description: 'One computed figure: an indicator for a unit and a period, by the rules of DESIGN.md section 3',
})
export class AggregateRowType {
  @Field(() => IndicatorRef)
  indicator!: IndicatorRef;

  @Field(() => AdminUnitRef, {
    description: 'The unit version the row is for (names come from the reference subgraph)',
  })
  unit!: AdminUnitRef;

  @Field(() => String, {
    description: 'The period, or with groupBy TERM without PERIOD the term whose requested periods the row combines',
  })
  period!: string;

  @Field(() => [String], {
    description:
      'The requested periods the numbers are made of: the period itself, or the requested periods inside the term',
  })
  periods!: string[];

  @Field(() => String, { nullable: true, description: 'The congress term of the row, when grouped by TERM' })
  term!: string | null;

  @Field(() => Float, { nullable: true, description: 'Null when nothing was recorded: missing is never 0' })
  value!: number | null;

  @Field(() => Float, { nullable: true, description: 'Target of the target period containing the period' })
  target!: number | null;

  @Field(() => Float, { nullable: true, description: '100 x year-to-date value / target' })
  achievementPct!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The value of the same period one year earlier, on the same boundaries',
  })
  samePeriodValue!: number | null;

  @Field(() => Float, { nullable: true, description: '100 x value / samePeriodValue' })
  samePeriodPct!: number | null;

  @Field(() => Boolean, {
    description:
      'True exactly when everything was reported (coverage.value is 1) and no figure of a unit that lay only partly inside this one was lost',
  })
  complete!: boolean;

  @Field(() => CoverageType, { description: 'How much of each number was reported' })
  coverage!: CoverageType;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Whether the year-to-date value meets the target, by the indicator's direction (for a lower-is-better indicator the target is a ceiling); null without both",
  })
  targetMet!: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why the row has no numbers: its unit code has no version on the boundaries date (e.g. a district after 2025-06-30)',
  })
  note!: string | null;

  @Field(() => Boolean, { description: 'Whether this is a total over the grouped units' })
  total!: boolean;

  @Field(() => DateScalar, { description: 'The date whose unit boundaries the row is computed on' })
  boundariesAsOf!: string;
}

@ObjectType('SourceStatus', { description: 'How current the figures of one domain subgraph are in analytics' })
export class SourceStatusType {
  @Field(() => String, { description: 'party, economy or social' })
  name!: string;

  @Field(() => Int, { description: 'The feed position applied up to' })
  lastSeq!: number;

  @Field(() => String, { nullable: true, description: 'When the feed was last read to its end (ISO 8601)' })
  lastSyncedAt!: string | null;

  @Field(() => Boolean, { description: 'True when figures from this source may be behind' })
  stale!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the source cannot be read, while it cannot' })
  error!: string | null;
}

@ObjectType('AggregateResult')
export class AggregateResultType {
  @Field(() => [AggregateRowType])
  rows!: AggregateRowType[];

  @Field(() => [SourceStatusType], { description: 'The state of every source the figures come from' })
  sources!: SourceStatusType[];

  @Field(() => Boolean, { description: 'True when any source is stale, so figures may be behind' })
  stale!: boolean;
}

@ObjectType('IndicatorValue', { description: 'One indicator of one unit for one period' })
export class IndicatorValueType {
  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => Float, { nullable: true })
  target!: number | null;

  @Field(() => Float, { nullable: true })
  achievementPct!: number | null;

  @Field(() => Float, { nullable: true })
  samePeriodValue!: number | null;

  @Field(() => Float, { nullable: true })
  samePeriodPct!: number | null;

  @Field(() => Boolean, {
    description: 'True exactly when everything was reported and nothing was lost to a boundary change',
  })
  complete!: boolean;

  @Field(() => CoverageType, { description: 'How much of each number was reported' })
  coverage!: CoverageType;

  @Field(() => Boolean, {
    nullable: true,
    description: "Whether the year-to-date value meets the target, by the indicator's direction",
  })
  targetMet!: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why there are no numbers: the unit version is not valid on the boundaries date; ask with boundariesAsOf',
  })
  note!: string | null;
}

@ObjectType('ReportingUnit', { description: "One unit's reporting for an indicator and period" })
export class ReportingUnitType {
  @Field(() => AdminUnitRef)
  unit!: AdminUnitRef;

  @Field(() => Float, { nullable: true, description: 'Its value (null when it reported nothing)' })
  value!: number | null;

  @Field(() => Float, { description: 'How much of its period it reported, from 0 to 1' })
  coverage!: number;
}

@ObjectType('ReportingStatus', {
  description:
    "Which units inside a unit have reported an indicator for a period (DHIS2's reporting rate): expected, actual, rate and the units that have not",
})
export class ReportingStatusType {
  @Field(() => IndicatorRef)
  indicator!: IndicatorRef;

  @Field(() => AdminUnitRef, { description: 'The unit asked about, on the boundaries date' })
  unit!: AdminUnitRef;

  @Field(() => String)
  period!: string;

  @Field(() => LevelEnum, { description: 'The level of the units counted' })
  level!: Level;

  @Field(() => DateScalar)
  boundariesAsOf!: string;

  @Field(() => Int, { description: 'Units at the level inside the unit, valid on the boundaries date' })
  expected!: number;

  @Field(() => Int, { description: 'Units that reported all of the period (coverage 1)' })
  actual!: number;

  @Field(() => Float, { nullable: true, description: 'actual / expected (null when no unit is expected)' })
  rate!: number | null;

  @Field(() => Float, { description: "The unit's own coverage for the period: the share of its leaf-months reported" })
  coverage!: number;

  @Field(() => [ReportingUnitType], { description: 'Units that reported part of the period (0 < coverage < 1)' })
  partial!: ReportingUnitType[];

  @Field(() => [ReportingUnitType], { description: 'Units that reported nothing for the period' })
  missing!: ReportingUnitType[];

  @Field(() => [ReportingUnitType], { description: 'Units that reported all of the period' })
  reported!: ReportingUnitType[];
}
