import { BIGINT, BOOLEAN, INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import {
  Evaluated,
  Figure,
  Indicator,
  Measures,
  ratioOf,
  ratioSides,
  ReferenceEvaluator,
  rowValuesOf,
  RowValues,
  shiftYears,
  sumOver,
} from '@lgr/schema';
import { binder, FACT_TABLE, SqlStatement } from '../store/sql';
import { factMonths } from './sql';
import type { AggregateOptions, AggregatePlan, AnswerPlan, PlannedGroup, PlannedRow } from './types';

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

/** Whether a plan may be answered in memory with this strategy. */
export function inMemoryEligible(plan: AggregatePlan, strategy: EngineStrategy): boolean {
  if (strategy === 'sql') return false;
  return strategy === 'memory' || (plan.rows.length <= IN_MEMORY_MAX_ROWS && plan.units.length <= IN_MEMORY_MAX_UNITS);
}

/**
 * The facts the plan reads, as one text: values of the recorded indicators for every unit of the plan
 * within the value periods' months (as `plan_facts`), targets of the requested indicators for the
 * valued units and the target periods (as `plan_target_facts`), and each RATIO total's own target.
 * With `limit`, at most `limit + 1` facts, so that a caller learns that there are more without
 * reading them all. {@link figuresOf} reads the answer.
 */
export function inMemoryFactsStatement(plan: AggregatePlan, limit?: number): SqlStatement {
  const months = factMonths(plan.periods);
  const valueIndicators = plan.indicators.filter((i) => i.value).map((i) => i.code);
  // A RATIO total's target is its unit's own, as recorded, even where no row reads a target.
  const ownTargets = plan.groups.filter((g) => g.indicator.rule === 'RATIO' && g.targetPeriod);
  const targetIndicators = [
    ...new Set([
      ...plan.indicators.filter((i) => i.target).map((i) => i.code),
      ...ownTargets.map((g) => g.indicator.code),
    ]),
  ];
  const targetSpans = [...plan.periods.filter((p) => p.target), ...ownTargets.map((g) => g.targetPeriod!)];
  const targetPeriods = [...new Set(targetSpans.map((p) => p.code))];
  const { bind, statement } = binder();
  // Codes are bound one by one; the units can be thousands and are joined.
  const codes = (xs: readonly string[]): string => (xs.length ? xs.map((x) => bind(x, VARCHAR)).join(', ') : 'NULL');
  // Values are read for every unit of the plan (as `plan_facts`), targets for the valued ones (as
  // `plan_target_facts`) and for the units of totals: a RATIO total's target is its unit's own.
  const inPlan = new Set(plan.units.map((u) => u.id));
  const groupUnits = new Set(ownTargets.map((g) => g.unit.id));
  const units = [
    ...plan.units,
    ...[...groupUnits].filter((id) => !inPlan.has(id)).map((id) => ({ id, valued: false })),
  ];
  const ids = bind(listValue(units.map((u) => u.id)), LIST(VARCHAR));
  const values = bind(listValue(units.map((u) => inPlan.has(u.id))), LIST(BOOLEAN));
  const targets = bind(listValue(units.map((u) => u.valued || groupUnits.has(u.id))), LIST(BOOLEAN));
  const from = bind(months.from, INTEGER);
  const to = bind(months.to, INTEGER);
  const isValue = `f.indicator IN (${codes(valueIndicators)}) AND f.start_month >= ${from} AND f.end_month <= ${to}
          AND f.value IS NOT NULL AND f.grain IS NOT NULL`;
  const isTarget = `f.indicator IN (${codes(targetIndicators)}) AND f.period IN (${codes(targetPeriods)})
          AND f.target IS NOT NULL`;
  // The months any fact read lies in: a range DuckDB checks while it scans, against each row group's
  // minimum and maximum first.
  const first = bind(Math.min(months.from, ...targetSpans.map((p) => p.startMonth)), INTEGER);
  const last = bind(Math.max(months.to, ...targetSpans.map((p) => p.endMonth)), INTEGER);
  const limited = limit === undefined ? '' : `\n      LIMIT ${bind(limit + 1, BIGINT)}`;
  // One indicator is a filter DuckDB applies while it scans the facts. Several are checked only on the
  // facts of the plan's units, after the join: comparing every fact's code with a list costs more.
  const indicators = [...new Set([...valueIndicators, ...targetIndicators])];
  const oneIndicator = indicators.length === 1 ? `f.indicator = ${bind(indicators[0]!, VARCHAR)} AND ` : '';
  // One scan of the facts: those with a value the plan reads or a target it reads (only a valued
  // unit's), each number kept only where it is read. They come back as one text, a record per fact:
  // the client library converts a result value by value, which for thousands of rows costs more than
  // the query, and a DOUBLE as text reads back as the same number.
  return statement(
    `WITH u AS (SELECT unnest(${ids}) AS id, unnest(${values}) AS values_read, unnest(${targets}) AS targets_read),
    facts AS (
      SELECT f.indicator, f.unit_id, f.period,
        CASE WHEN u.values_read AND ${isValue} THEN f.value END AS value,
        CASE WHEN u.targets_read AND ${isTarget} THEN f.target END AS target
      FROM ${FACT_TABLE} f JOIN u ON u.id = f.unit_id
      WHERE ${oneIndicator}f.start_month >= ${first} AND f.end_month <= ${last}
    ),
    read AS (
      SELECT * FROM facts WHERE value IS NOT NULL OR target IS NOT NULL${limited}
    )
    SELECT count(*) AS n, coalesce(string_agg(concat_ws(chr(${FIELD}), indicator, unit_id, period,
      coalesce(value::VARCHAR, ''), coalesce(target::VARCHAR, '')), chr(${RECORD})), '') AS facts
    FROM read`,
  );
}

/** Separators of {@link inMemoryFactsStatement}'s text: ASCII unit and record separators. */
export const FIELD = 31;
export const RECORD = 30;

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

/**
 * The numbers of the plan's answer by `evaluator` (DESIGN 3 over the figures it holds), keyed like
 * the programme's: `ROW:<rowId>` for every row, `TOTAL:<groupId>` for every totals row.
 */
export function evaluateRows(
  plan: Pick<AnswerPlan, 'rows' | 'groups' | 'measures'>,
  evaluator: ReferenceEvaluator,
): Map<string, RowValues> {
  const out = new Map<string, RowValues>();
  const members = new Map<number, PlannedRow[]>();
  for (const r of plan.rows) {
    if (r.emit) out.set(`ROW:${r.rowId}`, evaluator.rowOf(r.indicator, r.unit.id, r.periods, plan.measures));
    if (r.groupId === null) continue;
    const list = members.get(r.groupId);
    if (list) list.push(r);
    else members.set(r.groupId, [r]);
  }
  for (const g of plan.groups)
    out.set(`TOTAL:${g.groupId}`, totalOf(evaluator, g, members.get(g.groupId) ?? [], plan.measures));
  return out;
}

/**
 * A totals row as the programme computes it: each side's (a RATIO's numerator and denominator, else
 * the indicator's) value, same period, year to date and target summed over the group's rows with
 * their weights, and the ratios and percentages recomputed from the sums. A RATIO total's target is
 * its unit's own, since ratio targets are never summed.
 */
function totalOf(
  evaluator: ReferenceEvaluator,
  group: PlannedGroup,
  rows: readonly PlannedRow[],
  measures: Measures,
): RowValues {
  const indicator = group.indicator;
  const ratio = indicator.rule === 'RATIO';
  const sides = ratio ? ratioSides(indicator) : [indicator];
  const tp = group.targetPeriod;
  // Each side summed over the rows; a ratio recomputed from its summed sides.
  const total = (of: (side: Indicator, row: PlannedRow) => Evaluated): Evaluated => {
    const [first, second] = sides.map((side) => sumOver(rows.map((row) => of(side, row))));
    return second ? ratioOf(first!, second) : first!;
  };
  const value = total((side, row) => evaluator.measureOver(side, row.unit.id, row.periods));
  const same = measures.samePeriod
    ? total((side, row) =>
        evaluator.measureOver(
          side,
          row.unit.id,
          row.periods.map((p) => shiftYears(p, -1)),
        ),
      )
    : undefined;
  const ytd = tp ? total((side, row) => evaluator.yearToDateOf(side, row.unit.id, row.periods, tp)) : undefined;
  const target = !tp
    ? undefined
    : ratio
      ? evaluator.targetNode(indicator, group.unit.id, tp)
      : sumOver(rows.map((row) => evaluator.targetNode(indicator, row.unit.id, tp)));
  return rowValuesOf(indicator, value, same, ytd, target);
}
