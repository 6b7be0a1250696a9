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

/** One answer row; the numbers follow DESIGN.md section 3. */
export interface AggregateRow {
  indicator: string;
  unitId: string;
  unitCode: string;
  period: string;
  term: string | null;
  value: number | null;
  target: number | null;
  achievementPct: number | null;
  samePeriodValue: number | null;
  samePeriodPct: number | null;
  complete: boolean;
  total: boolean;
  boundariesAsOf: string;
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
