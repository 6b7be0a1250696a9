import type { Grain, Level } from '@lgr/schema';

/** The dimensions an aggregate can be grouped by. */
export type GroupBy = 'INDICATOR' | 'UNIT' | 'PERIOD' | 'TERM';

/** Every value `groupBy` accepts. */
export const GROUP_BY_VALUES: readonly GroupBy[] = ['INDICATOR', 'UNIT', 'PERIOD', 'TERM'];

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
}

/** The row limit when `maxRows` is not given. */
export const DEFAULT_MAX_ROWS = 50_000;
