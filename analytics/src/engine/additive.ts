import { INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  Evaluated,
  Figure,
  Indicator,
  MonthSpan,
  Period,
  ratioSides,
  ReferenceEvaluator,
  UnitCatalog,
} from '@lgr/schema';
import { FACT_TABLE, META_TABLE, MONTH_SOURCE_TABLE, SqlStatement, statement } from '../store/sql';
import { evaluateRows } from './in-memory';
import type { AnswerPlan } from './types';

/*
 * The additive path. For a FLOW whose figures are all monthly and recorded at leaves, rules 1-4 make
 * a unit's value over any span one weighted sum of recorded months, with weights that depend on the
 * catalogue alone (`monthSources` in the schema workspace, stored per catalogue as
 * `unit_month_source`). So one statement values every span an answer reads, whatever the number of
 * units and grains below it: the facts joined with the spans' sources, as a hand-written query
 * would, instead of a programme of a dozen statements over every node of every grain. The same
 * statement counts the figures that would make a sum wrong (a unit's own figure where its children
 * are summed, a figure of a longer period); when there is one, the question is left to the other
 * paths. Targets, which rule 1 takes at any level, are read for the units a target can come from and
 * rolled up by the reference evaluator, which also makes the rows and totals from the values.
 */

/** Whether the additive path can value an indicator: a FLOW, or a RATIO of two FLOWs. */
export function additiveIndicator(indicator: Indicator): boolean {
  if (indicator.rule === 'FLOW') return true;
  return indicator.rule === 'RATIO' && ratioSides(indicator).every((side) => side.rule === 'FLOW');
}

/** A unit's value of a FLOW over a span of months, which an answer reads. */
export interface SpanRead extends MonthSpan {
  readonly indicator: string;
  readonly unitId: string;
}

/** A target an answer reads (rule 5): the indicator, the unit and the target period. */
export interface TargetRead {
  readonly indicator: Indicator;
  readonly unitId: string;
  readonly period: Period;
}

const NOTHING: Evaluated = { value: null, intact: true, expected: 0, reported: 0 };

const spanKey = (indicator: string, unitId: string, span: MonthSpan) =>
  `${indicator}|${unitId}|${span.startMonth}|${span.endMonth}`;

/**
 * The reference evaluator with a FLOW's value over a span taken from `spanValue` instead of walked, and
 * optionally every target request answered by `targetRead`; targets otherwise roll up from the target
 * figures it holds.
 */
export class SpanEvaluator extends ReferenceEvaluator {
  constructor(
    catalog: UnitCatalog,
    targets: readonly Figure[],
    private readonly spanValue: (indicator: Indicator, unitId: string, span: MonthSpan) => Evaluated,
    private readonly targetRead?: (indicator: Indicator, unitId: string, tp: Period) => Evaluated,
  ) {
    super(catalog, targets);
  }

  override valueOverSpan(indicator: Indicator, unitId: string, span: MonthSpan): Evaluated {
    return this.spanValue(indicator, unitId, span);
  }

  override targetNode(indicator: Indicator, unitId: string, tp: Period): Evaluated {
    return this.targetRead ? this.targetRead(indicator, unitId, tp) : super.targetNode(indicator, unitId, tp);
  }
}

/**
 * Every span and target the plan's rows and totals read, each once: the rows are made once with
 * every value and target empty, recording what was asked for, so that the reads are exactly those
 * of {@link evaluateRows}.
 */
export function answerReads(
  plan: Pick<AnswerPlan, 'rows' | 'groups'>,
  catalog: UnitCatalog,
): { spans: SpanRead[]; targets: TargetRead[] } {
  const spans = new Map<string, SpanRead>();
  const targets = new Map<string, TargetRead>();
  const reader = new SpanEvaluator(
    catalog,
    [],
    (indicator, unitId, span) => {
      const key = spanKey(indicator.code, unitId, span);
      if (!spans.has(key))
        spans.set(key, { indicator: indicator.code, unitId, startMonth: span.startMonth, endMonth: span.endMonth });
      return NOTHING;
    },
    (indicator, unitId, period) => {
      targets.set(`${indicator.code}|${unitId}|${period.code}`, { indicator, unitId, period });
      return NOTHING;
    },
  );
  evaluateRows(plan, reader);
  return { spans: [...spans.values()], targets: [...targets.values()] };
}

/** The kinds of `unit_month_source` rows (`MonthSourceKind`), as the statement compares them. */
const READ = `'READ'`;
const LOST = `'LOST'`;
const OWN = `'OWN'`;

/** The `store_meta` key of the catalogue digest, read by the statement to check its catalogue. */
const DIGEST_KEY = 'catalog_digest';

/**
 * One statement that values every span of `spans` (the unit's `uid` from `keys`) by its month
 * sources: per span (by its position), the expected rule-9 weight, the sum of its recorded months
 * times their shares, their reported weight, how many partial predecessors' figures rule 4 loses,
 * and how many figures make the sum wrong (`irregular`). A first row with `key` -1 carries the
 * catalogue digest the store holds, read in the same snapshot as the sources.
 */
export function additiveStatement(
  spans: readonly SpanRead[],
  keys: ReadonlyMap<string, { readonly uid: number }>,
): SqlStatement {
  const params: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  const bind = (value: DuckDBValue, type: DuckDBType): string => {
    params.push(value);
    types.push(type);
    return `$${params.length}`;
  };
  const uidOf = (id: string) => {
    const key = keys.get(id);
    if (key === undefined) throw new Error(`Expected a unit of the catalogue, got "${id}"`);
    return key.uid;
  };
  const positions = bind(listValue(spans.map((_, i) => i)), LIST(INTEGER));
  const indicators = bind(listValue(spans.map((s) => s.indicator)), LIST(VARCHAR));
  const units = bind(listValue(spans.map((s) => uidOf(s.unitId))), LIST(INTEGER));
  const froms = bind(listValue(spans.map((s) => s.startMonth)), LIST(INTEGER));
  const tos = bind(listValue(spans.map((s) => s.endMonth)), LIST(INTEGER));
  const codes = [...new Set(spans.map((s) => s.indicator))];
  // One indicator is a filter DuckDB applies while it scans; so is the range of months, against
  // each row group's minimum and maximum first.
  const indicatorFilter =
    codes.length === 1
      ? `f.indicator = ${bind(codes[0]!, VARCHAR)}`
      : `f.indicator IN (${codes.map((c) => bind(c, VARCHAR)).join(', ')})`;
  const first = bind(Math.min(...spans.map((s) => s.startMonth)), INTEGER);
  const last = bind(Math.max(...spans.map((s) => s.endMonth)), INTEGER);
  const digestKey = bind(DIGEST_KEY, VARCHAR);
  // A figure matters to a span when it lies inside the span (rule 1 takes exactly the span, rule 2
  // anything inside it) and inside the months its unit is a source for.
  return statement(
    `WITH spans AS (
      SELECT unnest(${positions}) AS key, unnest(${indicators}) AS indicator, unnest(${units}) AS uid,
        unnest(${froms}) AS lo, unnest(${tos}) AS hi
    ),
    cells AS NOT MATERIALIZED (
      SELECT p.key, p.indicator, p.lo, p.hi, s.source_id, s.kind, s.share,
        greatest(p.lo, s.from_month) AS a, least(p.hi, s.to_month) AS b
      FROM spans p JOIN ${MONTH_SOURCE_TABLE} s ON s.unit_uid = p.uid AND s.from_month <= p.hi AND s.to_month >= p.lo
    ),
    expected AS (
      SELECT key, coalesce(sum(share * (b - a + 1)) FILTER (WHERE kind = ${READ}), 0) AS expected
      FROM cells GROUP BY key
    ),
    joined AS (
      SELECT c.key, c.kind, c.share, f.value, f.start_month = f.end_month AS month,
        f.start_month >= c.lo AND f.end_month <= c.hi AND f.start_month <= c.b AND f.end_month >= c.a AS inside
      FROM cells c JOIN ${FACT_TABLE} f ON f.unit_id = c.source_id
      WHERE ${indicatorFilter}${codes.length === 1 ? '' : ' AND f.indicator = c.indicator'}
        AND f.start_month >= ${first} AND f.end_month <= ${last} AND f.value IS NOT NULL
    ),
    hits AS (
      SELECT key,
        sum(value * share) FILTER (WHERE inside AND kind = ${READ} AND month) AS value,
        sum(share) FILTER (WHERE inside AND kind = ${READ} AND month) AS reported,
        count(*) FILTER (WHERE inside AND kind = ${LOST} AND month) AS lost,
        count(*) FILTER (WHERE inside AND (kind = ${OWN} OR NOT month)) AS irregular
      FROM joined GROUP BY key
    )
    SELECT -1 AS key, NULL::DOUBLE AS expected, NULL::DOUBLE AS value, NULL::DOUBLE AS reported,
      0 AS lost, 0 AS irregular, (SELECT value FROM ${META_TABLE} WHERE key = ${digestKey}) AS digest
    UNION ALL
    SELECT e.key, e.expected, h.value, h.reported, coalesce(h.lost, 0), coalesce(h.irregular, 0), NULL
    FROM expected e LEFT JOIN hits h ON h.key = e.key`,
    params,
    types,
  );
}

/** The answer of {@link additiveStatement}: each span's value, or why there is none. */
export type AdditiveAnswer =
  | { readonly kind: 'values'; readonly values: SpanValues }
  | { readonly kind: 'irregular' }
  | { readonly kind: 'catalog'; readonly digest: string | null };

/**
 * Reads {@link additiveStatement}'s rows for `spans`: each span's value by its indicator, unit and
 * months (a span without sources expects nothing and has no value), or `irregular` when a figure
 * makes some sum wrong, or `catalog` when the store holds another catalogue than `digest`.
 */
export function additiveValues(
  rows: readonly Record<string, unknown>[],
  spans: readonly SpanRead[],
  digest: string,
): AdditiveAnswer {
  const values = new Map<string, Evaluated>();
  for (const s of spans) values.set(spanKey(s.indicator, s.unitId, s), NOTHING);
  let found: string | null | undefined;
  for (const r of rows) {
    const key = Number(r.key);
    if (key === -1) {
      found = r.digest === null || r.digest === undefined ? null : String(r.digest);
      continue;
    }
    if (Number(r.irregular) > 0) return { kind: 'irregular' };
    const s = spans[key];
    if (!s) throw new Error(`Expected a span key below ${spans.length}, got ${key}`);
    values.set(spanKey(s.indicator, s.unitId, s), {
      value: r.value === null ? null : Number(r.value),
      intact: Number(r.lost) === 0,
      expected: Number(r.expected),
      reported: r.reported === null ? 0 : Number(r.reported),
    });
  }
  if (found === undefined) throw new Error('Expected the catalogue digest row (key -1) in the additive answer');
  if (found !== digest) return { kind: 'catalog', digest: found };
  return { kind: 'values', values: new SpanValues(values) };
}

/** The values of {@link additiveStatement}'s spans, by indicator, unit and span. */
export class SpanValues {
  constructor(private readonly values: ReadonlyMap<string, Evaluated>) {}

  /** A span's value; throws for a span that was not read. */
  of(indicator: Pick<Indicator, 'code'>, unitId: string, span: MonthSpan): Evaluated {
    const value = this.values.get(spanKey(indicator.code, unitId, span));
    if (!value)
      throw new Error(
        `Expected a span read for ${indicator.code} ${unitId} ${span.startMonth}..${span.endMonth}, got none`,
      );
    return value;
  }
}

/**
 * The units whose own targets a target read can roll up from (rule 5): the unit; for a FLOW or a
 * STOCK, the older units' (rule 4) for a target period that ended before it existed, else its
 * children's, down to the leaves. Rule 1 stops at the first own target, which is known only once the
 * targets are read, so every unit of the walk is read.
 */
export function targetUnits(catalog: UnitCatalog, reads: readonly TargetRead[]): string[] {
  const seen = new Set<string>();
  const walk = (unitId: string, read: TargetRead) => {
    const key = `${read.period.code}|${unitId}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (read.indicator.rule === 'RATIO') return;
    const unit = catalog.get(unitId)!;
    if (read.period.end < unit.validFrom) {
      const c = catalog.contributions(unitId);
      for (const id of [...c.whole, ...c.shares.map((s) => s.id)]) walk(id, read);
    } else {
      for (const child of catalog.children(unitId)) walk(child.id, read);
    }
  };
  for (const read of reads) walk(read.unitId, read);
  return [...new Set([...seen].map((key) => key.slice(key.indexOf('|') + 1)))];
}

/**
 * The recorded targets of `reads`' indicators and target periods for `units`, as one text (the
 * format of `inMemoryFactsStatement`, which `figuresOf` reads), with no values.
 */
export function targetFactsStatement(reads: readonly TargetRead[], units: readonly string[]): SqlStatement {
  const params: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  const bind = (value: DuckDBValue, type: DuckDBType): string => {
    params.push(value);
    types.push(type);
    return `$${params.length}`;
  };
  const list = (xs: readonly string[]) => xs.map((x) => bind(x, VARCHAR)).join(', ');
  const ids = bind(listValue([...units]), LIST(VARCHAR));
  const indicators = list([...new Set(reads.map((r) => r.indicator.code))]);
  const periods = list([...new Set(reads.map((r) => r.period.code))]);
  const first = bind(Math.min(...reads.map((r) => r.period.startMonth)), INTEGER);
  const last = bind(Math.max(...reads.map((r) => r.period.endMonth)), INTEGER);
  return statement(
    `SELECT count(*) AS n, coalesce(string_agg(concat_ws(chr(31), f.indicator, f.unit_id, f.period, '',
        f.target::VARCHAR), chr(30)), '') AS facts
    FROM ${FACT_TABLE} f JOIN (SELECT unnest(${ids}) AS id) u ON u.id = f.unit_id
    WHERE f.indicator IN (${indicators}) AND f.period IN (${periods}) AND f.target IS NOT NULL
      AND f.start_month >= ${first} AND f.end_month <= ${last}`,
    params,
    types,
  );
}

/** The answer when no span is read. */
export const NO_SPANS: AdditiveAnswer = { kind: 'values', values: new SpanValues(new Map()) };
