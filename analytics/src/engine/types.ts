import type { Grain, Indicator, Level, Measures, Period, Rule, UnitVersion } from '@lgr/schema';
import type { UnitKey } from './unit-keys';

/** The dimensions an aggregate can be grouped by. */
export type GroupBy = 'INDICATOR' | 'UNIT' | 'PERIOD' | 'TERM';

/** Every value `groupBy` accepts. */
export const GROUP_BY_VALUES: readonly GroupBy[] = ['INDICATOR', 'UNIT', 'PERIOD', 'TERM'];

/** The numbers an aggregate computes: the value (always), the same period a year earlier, the target with the year to date. */
export type Measure = 'VALUE' | 'SAME_PERIOD' | 'TARGET';

/** Every value `measures` accepts. */
export const MEASURE_VALUES: readonly Measure[] = ['VALUE', 'SAME_PERIOD', 'TARGET'];

/** An aggregate query (DESIGN.md 4): indicators for units and periods, on the boundaries of a date. */
export interface AggregateRequest {
  indicators: string[];
  /** Unit codes, resolved on the boundaries' date, or unit version ids (`code@validFrom`) taken as they are. */
  units: string[];
  /** Either `periods`, or `from` + `to` (+ `grain`, by default the grain of `from`). */
  periods?: string[];
  from?: string;
  to?: string;
  grain?: Grain;
  /** One row per unit at this level inside each requested unit, instead of one per requested unit. */
  level?: Level;
  /** The date whose boundaries the answer is on; by default the last day of each period. */
  boundariesAsOf?: string;
  /** Default INDICATOR, UNIT, PERIOD. */
  groupBy?: GroupBy[];
  /** Adds a total row per indicator, requested unit and period. */
  totals?: boolean;
  /**
   * The numbers to compute (default all). The value, `complete` and the value's coverage are always
   * computed; SAME_PERIOD adds `samePeriodValue`, `samePeriodPct` and their coverage; TARGET adds
   * `target`, `achievementPct` (with the year to date), `targetMet` and their coverage. A number not
   * asked for is null and its coverage 0. The GraphQL API asks for those its query selects.
   */
  measures?: Measure[];
}

/** How much of each number of a row was reported (DESIGN.md 3 rule 9), each from 0 to 1. */
export interface RowCoverage {
  value: number;
  target: number;
  yearToDate: number;
  samePeriod: number;
}

/** One answer row; the numbers follow DESIGN.md section 3. */
export interface AggregateRow {
  indicator: string;
  unitId: string;
  unitCode: string;
  /** The requested period, or with groupBy TERM without PERIOD the term whose requested periods the row combines. */
  period: string;
  /** The requested periods the row's numbers are made of (the period itself, or those inside the term). */
  periods: string[];
  term: string | null;
  value: number | null;
  target: number | null;
  achievementPct: number | null;
  samePeriodValue: number | null;
  samePeriodPct: number | null;
  /** The value's coverage is 1 and no figure was lost to rule 4. */
  complete: boolean;
  coverage: RowCoverage;
  /** The year-to-date value meets the target by the indicator's direction (a LOWER indicator's target is a ceiling); null without both. */
  targetMet: boolean | null;
  total: boolean;
  boundariesAsOf: string;
  /** Why the row has no numbers: its unit code has no version on the boundaries' date (null otherwise). */
  note: string | null;
}

/** How a caller's aggregate query is bounded. */
export interface AggregateOptions {
  /** The unit version ids the caller may read; undefined for all. */
  scope?: ReadonlySet<string>;
  /** Stops the query with a TIMEOUT error after this long. */
  timeoutMs?: number;
  /** Refuses a query that would return more rows (default 50,000) with RESULT_TOO_LARGE. */
  maxRows?: number;
  /** Receives the time each step took (planning, loading the plan, each SQL step), for logs and benchmarks. */
  trace?: (step: string, ms: number) => void;
  /**
   * How the numbers are computed (default `auto`): `auto` answers by the additive path where every
   * figure read is a leaf's month (a small question with a STOCK in memory), else a small question in
   * memory and every other by the SQL programme; `sql` and `memory` force one (`memory` still leaves a
   * question whose numbers overflow to the programme), `additive` tries that path first whatever the
   * question. Every path gives the numbers of DESIGN.md section 3.
   */
  strategy?: 'auto' | 'sql' | 'memory' | 'additive';
  /**
   * How the additive path reads the spans' month sources (default `auto`): `bound` as lists in its
   * statement, `stored` joined from the store's `unit_month_source`, `auto` bound when there are few
   * (`BOUND_SOURCES_MAX`). Both read the same sources.
   */
  additiveSources?: 'auto' | 'bound' | 'stored';
}

/** The row limit when `maxRows` is not given. */
export const DEFAULT_MAX_ROWS = 50_000;

/*
 * The plan of a query: what `planAggregate` makes of a request and the catalogue, and what the SQL
 * steps (`sql.ts`, `steps.ts`) and the runner (`aggregate.ts`) read.
 */

/** Which number of a row a part feeds: its value, the same period last year, or the year to date. */
export type PartRole = 'VALUE' | 'SAME' | 'YTD';
/** N: the indicator itself or a ratio's numerator; D: a ratio's denominator. */
export type PartSide = 'N' | 'D';

/** A (unit, indicator) row of the answer before its numbers are known. */
export interface PlannedRow {
  readonly rowId: number;
  readonly indicator: Indicator;
  readonly unit: UnitVersion;
  /** The row's period: the requested one, or the term whose requested periods it combines. */
  readonly period: Period;
  /** The requested periods the row's numbers are made of. */
  readonly periods: readonly Period[];
  readonly term: string | null;
  readonly boundariesAsOf: string;
  /** The totals group the row rolls up into, when totals are asked for. */
  readonly groupId: number | null;
  /** False for rows computed only for their totals (groupBy without UNIT). */
  readonly emit: boolean;
  readonly targetPeriod: Period | undefined;
  /** The parts of the row (`templateId` in {@link AggregatePlan.parts}). */
  readonly templateId: number;
}

/** A totals row: the rows of one indicator, requested unit and period rolled up. */
export interface PlannedGroup {
  readonly groupId: number;
  readonly indicator: Indicator;
  readonly unit: UnitVersion;
  readonly period: Period;
  readonly periods: readonly Period[];
  readonly term: string | null;
  readonly boundariesAsOf: string;
  readonly targetPeriod: Period | undefined;
}

/**
 * A row (or a totals row) for a unit code that has no version on the row's boundaries' date (an
 * abolished district asked about after it ended): it has no numbers, only the reason, so that a
 * series across the reform still has a row for every period.
 */
export interface PlannedNote {
  readonly noteId: number;
  readonly indicator: Indicator;
  /** The version of the code nearest the date: the last one before it, else the first after. */
  readonly unit: UnitVersion;
  readonly period: Period;
  readonly periods: readonly Period[];
  readonly term: string | null;
  readonly boundariesAsOf: string;
  readonly total: boolean;
  readonly note: string;
}

/** The leaves a valued unit stands for in each month of a segment (DESIGN 3 rule 9; see `weights.ts`). */
export interface PlannedWeight {
  readonly unitId: string;
  readonly fromMonth: number;
  readonly toMonth: number;
  readonly leaves: number;
}

/**
 * What DESIGN 3 rule 9 expects of a row's unit over one of its parts' periods, by the time rule of the
 * part (`stock`: the leaves of the period's last month; else its leaf-months). Made in the planner
 * from the unit's weights, so that the answer's statement reads a number instead of joining weights.
 */
export interface PlannedExpected {
  readonly rowId: number;
  readonly pid: number;
  readonly stock: boolean;
  readonly expected: number;
}

/**
 * A calendar period (or a span valued like one) whose value the rows of a template need, combined
 * with the template's other parts of the same role and side by the time rule.
 */
export interface PlannedPart {
  readonly templateId: number;
  readonly role: PartRole;
  readonly side: PartSide;
  /** The recorded indicator (`iid` in {@link AggregatePlan.indicators}). */
  readonly base: number;
  readonly rule: Rule;
  /** The period (`pid` in {@link AggregatePlan.periods}). */
  readonly period: number;
  readonly ord: number;
}

/** A period the query computes values for (parts and their sub-periods) or targets for. */
export interface PlannedPeriod {
  readonly pid: number;
  /** The period's code; a span that is no single period is `<first part>..<last part>`. */
  readonly code: string;
  /** A span that is no single period is computed with the terms (TERM): its parts are years and finer. */
  readonly grain: Grain;
  readonly startMonth: number;
  readonly endMonth: number;
  readonly value: boolean;
  readonly target: boolean;
  /** Whether a row asks for this period's value directly (not only as a sub-period of another). */
  readonly part: boolean;
  /** The latest end month of the value periods this one is a direct sub-period of; null for none. */
  readonly parentEnd: number | null;
}

/** An indicator the query computes values for (a recorded one) or targets for (a requested one). */
export interface PlannedIndicator {
  readonly iid: number;
  readonly code: string;
  readonly rule: Rule;
  readonly value: boolean;
  readonly target: boolean;
}

/**
 * A request's answer, planned: its rows and totals in order, and each row's parts (`planAnswer`).
 * Enough for the paths that value spans directly; the SQL programme needs an {@link AggregatePlan}.
 */
export interface AnswerPlan {
  readonly rows: PlannedRow[];
  readonly groups: PlannedGroup[];
  /** Rows and totals rows without numbers, for codes that do not resolve on their date. */
  readonly notes: PlannedNote[];
  /** The answer in order: a row (by rowId), a total (by groupId) or a row without numbers (by noteId). */
  readonly output: { kind: 'ROW' | 'TOTAL' | 'NOTE'; id: number }[];
  /** The periods values are computed for (the parts and all their sub-periods), and target periods. */
  readonly periods: PlannedPeriod[];
  /** Each value period's direct sub-periods (DESIGN 3 rule 2) by pid, in time order. */
  readonly subs: { parent: number; child: number; ord: number }[];
  /** The recorded indicators values are computed for, and the requested indicators targets are. */
  readonly indicators: PlannedIndicator[];
  readonly parts: PlannedPart[];
  /** The numbers besides the value the answer computes. */
  readonly measures: Measures;
}

/** Everything the SQL needs to know about a query, and the order its answer comes back in. */
export interface AggregatePlan extends AnswerPlan {
  /** Units whose values are computed (`valued`), and units whose own figures are only looked at (rule 4's partial units). */
  readonly units: { id: string; valued: boolean }[];
  /** The catalogue's unit keys (`unit-keys.ts`), kept per catalogue. */
  readonly unitKeys: ReadonlyMap<string, UnitKey>;
  /** The valued units' rule-9 weights by month. */
  readonly weights: PlannedWeight[];
  /** What rule 9 expects of each row's unit over each of its parts' periods. */
  readonly expected: PlannedExpected[];
  /** What rule 9 expects of each row's unit over its target period (by rowId; null without one). */
  readonly targetExpected: (number | null)[];
  /** Which steps of the dynamic programme, and which kinds of nodes in them, the query can need. */
  readonly shape: PlanShape;
}

/** The caller's scope (allowed unit version ids) and the row limit. */
export interface PlanOptions {
  scope?: ReadonlySet<string>;
  maxRows?: number;
}

/** What the plan and the catalogue say about the steps, before any figure is read. */
export interface PlanShape {
  /** The stages of the units whose values are computed, in the order they are computed. */
  readonly stages: readonly number[];
  /** The grains of the value periods. */
  readonly grains: ReadonlySet<Grain>;
  /** `stage|grain` where a unit with WHOLE or SHARE predecessors has a period before it that a step computes (rule 4). */
  readonly before: ReadonlySet<string>;
  /** `stage|grain` where a unit with PARTIAL predecessors has such a period. */
  readonly partial: ReadonlySet<string>;
  /** Stages with a unit that has an ancestor among the computed units (rule 3 adds to it). */
  readonly lift: ReadonlySet<number>;
  /** Stages with a unit with WHOLE or SHARE predecessors and a target period that ended before it existed. */
  readonly targetBefore: ReadonlySet<number>;
  /** Whether some computed unit has PARTIAL predecessors, whose figures `plan_partial_inside` collects. */
  readonly partialInside: boolean;
  /** Whether the plan has target periods, whose targets `plan_target_facts` collects. */
  readonly targets: boolean;
  /** Whether the plan has totals groups. */
  readonly groups: boolean;
}
