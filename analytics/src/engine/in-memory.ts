import { BIGINT, BOOLEAN, INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { Figure, ReferenceEvaluator, RowValues, UnitCatalog } from '@lgr/schema';
import { FACT_TABLE, SqlStatement, statement } from '../store/sql';
import { factMonths } from './sql';
import type { AggregateOptions, AggregatePlan } from './types';

/*
 * A small question answered in memory. The SQL programme pays 10 to 15 DuckDB statements of a few
 * milliseconds each (planning and setting up their hash tables) before the data matters, which makes
 * a one-commune question cost ten times its raw sum. When the facts a question can read are few, one
 * statement reads them and DESIGN 3 is applied to them in TypeScript by the reference evaluator, the
 * same one the engine is held to by the property tests. The facts read are exactly those the
 * programme reads (`plan_facts`, `plan_target_facts`); the property tests hold the two paths to the
 * evaluator over every figure.
 */

/** How the engine computes an answer (see {@link AggregateOptions.strategy}). */
export type EngineStrategy = NonNullable<AggregateOptions['strategy']>;

/** The most facts `auto` reads into memory; a question that reads more goes to the SQL programme. */
export const IN_MEMORY_MAX_FACTS = 20_000;

/** The most answer rows `auto` computes in memory (each row is a walk of the evaluator). */
export const IN_MEMORY_MAX_ROWS = 2_000;

/**
 * The most units (with their predecessors) `auto` reads the facts of: a question over more, such as
 * every province of the country, is left to the programme before any fact is read.
 */
export const IN_MEMORY_MAX_UNITS = 3_000;

/**
 * Whether a plan may be answered in memory: totals groups are computed from the parts of their rows,
 * which only the SQL programme keeps.
 */
export function inMemoryEligible(plan: AggregatePlan, strategy: EngineStrategy): boolean {
  if (strategy === 'sql' || plan.shape.groups) return false;
  return strategy === 'memory' || (plan.rows.length <= IN_MEMORY_MAX_ROWS && plan.units.length <= IN_MEMORY_MAX_UNITS);
}

/**
 * The facts the plan reads, as figures: values of the recorded indicators for every unit of the plan
 * within the value periods' months (as `plan_facts`), targets of the requested indicators for the
 * valued units and the target periods (as `plan_target_facts`). With `limit`, at most `limit + 1`
 * rows, so that a caller learns that there are more without reading them all.
 */
export function inMemoryFactsStatement(plan: AggregatePlan, limit?: number): SqlStatement {
  const months = factMonths(plan.periods);
  const valueIndicators = plan.indicators.filter((i) => i.value).map((i) => i.code);
  const targetIndicators = plan.indicators.filter((i) => i.target).map((i) => i.code);
  const targetPeriods = plan.periods.filter((p) => p.target).map((p) => p.code);
  const params: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  const bind = (value: DuckDBValue, type: DuckDBType): string => {
    params.push(value);
    types.push(type);
    return `$${params.length}`;
  };
  // A short list of codes is bound value by value, so that DuckDB filters the facts by it while it
  // scans them (a filter on a bound list is checked row by row afterwards); the units can be
  // thousands and are joined.
  const codes = (xs: readonly string[]): string => (xs.length ? xs.map((x) => bind(x, VARCHAR)).join(', ') : 'NULL');
  const ids = bind(listValue(plan.units.map((u) => u.id)), LIST(VARCHAR));
  const valued = bind(listValue(plan.units.map((u) => u.valued)), LIST(BOOLEAN));
  const from = bind(months.from, INTEGER);
  const to = bind(months.to, INTEGER);
  const isValue = `f.indicator IN (${codes(valueIndicators)}) AND f.start_month >= ${from} AND f.end_month <= ${to}
          AND f.value IS NOT NULL AND f.grain IS NOT NULL`;
  const isTarget = `f.indicator IN (${codes(targetIndicators)}) AND f.period IN (${codes(targetPeriods)})
          AND f.target IS NOT NULL`;
  // The months any fact read lies in: a range DuckDB checks while it scans, against each row group's
  // minimum and maximum first.
  const targetSpans = plan.periods.filter((p) => p.target);
  const first = bind(Math.min(months.from, ...targetSpans.map((p) => p.startMonth)), INTEGER);
  const last = bind(Math.max(months.to, ...targetSpans.map((p) => p.endMonth)), INTEGER);
  const limited = limit === undefined ? '' : `\n      LIMIT ${bind(limit + 1, BIGINT)}`;
  // One scan of the facts: those with a value the plan reads or a target it reads (only a valued
  // unit's), each number kept only where it is read. They come back as one text, a record per fact:
  // the client library converts a result value by value, which for thousands of rows costs more than
  // the query, and a DOUBLE as text reads back as the same number.
  return statement(
    `WITH u AS (SELECT unnest(${ids}) AS id, unnest(${valued}) AS valued),
    facts AS (
      SELECT f.indicator, f.unit_id, f.period,
        CASE WHEN ${isValue} THEN f.value END AS value,
        CASE WHEN u.valued AND ${isTarget} THEN f.target END AS target
      FROM ${FACT_TABLE} f JOIN u ON u.id = f.unit_id
      WHERE f.indicator IN (${codes([...new Set([...valueIndicators, ...targetIndicators])])})
        AND f.start_month >= ${first} AND f.end_month <= ${last}
    ),
    read AS (
      SELECT * FROM facts WHERE value IS NOT NULL OR target IS NOT NULL${limited}
    )
    SELECT count(*) AS n, coalesce(string_agg(concat_ws(chr(${FIELD}), indicator, unit_id, period,
      coalesce(value::VARCHAR, ''), coalesce(target::VARCHAR, '')), chr(${RECORD})), '') AS facts
    FROM read`,
    params,
    types,
  );
}

/** Separators of {@link inMemoryFactsStatement}'s text: ASCII unit and record separators. */
const FIELD = 31;
const RECORD = 30;

/**
 * The answer of {@link inMemoryFactsStatement} as the evaluator's figures. Throws when the text does
 * not hold the `n` records of five fields it should (a code with a separator in it).
 */
export function figuresOf(answer: { n: number; facts: string }): Figure[] {
  if (answer.n === 0) return [];
  const records = answer.facts.split(String.fromCharCode(RECORD));
  const figures = records.map((record) => {
    const [indicator, unitId, period, value, target, ...rest] = record.split(String.fromCharCode(FIELD));
    if (target === undefined || rest.length)
      throw new Error(`Expected a fact as 5 fields (indicator, unit, period, value, target), got "${record}"`);
    return {
      indicator: indicator!,
      unitId: unitId!,
      period: period!,
      value: value === '' ? null : Number(value),
      target: target === '' ? null : Number(target),
    };
  });
  if (figures.length !== answer.n) throw new Error(`Expected ${answer.n} facts, got ${figures.length}`);
  return figures;
}

/** The numbers of every row of the plan (by rowId), by DESIGN 3 over `figures`. */
export function evaluateInMemory(
  plan: AggregatePlan,
  catalog: UnitCatalog,
  figures: readonly Figure[],
): Map<number, RowValues> {
  const evaluator = new ReferenceEvaluator(catalog, figures);
  return new Map(plan.rows.map((r) => [r.rowId, evaluator.rowOf(r.indicator, r.unit.id, r.periods)]));
}
