import { BOOLEAN, DOUBLE, DuckDBType, DuckDBValue, INTEGER, LIST, listValue, VARCHAR } from '@duckdb/node-api';
import {
  Evaluated,
  Figure,
  Indicator,
  monthEndDate,
  MonthSource,
  MonthSpan,
  monthSources,
  monthStartDate,
  Period,
  ReferenceEvaluator,
  UnitCatalog,
} from '@lgr/schema';
import { binder, FACT_TABLE, META_TABLE, MONTH_SOURCE_TABLE, SqlStatement } from '../store/sql';
import { evaluateRows, FIELD, RECORD } from './in-memory';
import { CATALOG_DIGEST } from '../store/store';
import type { AggregateOptions, AnswerPlan } from './types';

/*
 * The additive path. When a question's figures are all monthly and recorded at leaves, rules 1-4 make
 * a unit's FLOW over any span one weighted sum of recorded months, with weights that depend on the
 * catalogue alone (`monthSources` in the schema workspace, stored per catalogue as
 * `unit_month_source`); a STOCK is the same sum of each leaf's last month in the span, wherever no
 * unit of its walk begins inside the span. So one statement values every span an answer reads,
 * whatever the number of units and grains below it: the facts joined with the spans' sources, as a
 * hand-written query would, instead of a programme of a dozen statements over every node of every
 * grain. The same statement counts the figures that would make a sum wrong (a unit's own figure
 * where its children are summed, a figure of a longer period); when there is one, the question is
 * left to the other paths. It also reads the targets recorded for the target periods at the units a
 * target can roll up from. The reference evaluator makes the rows and totals from those values and
 * targets: it rolls up the targets (rule 1 takes one at any level), and walks by its own rules the
 * few STOCK spans that a newer unit divides (rules 2 and 4 take the latest part with a value).
 */

/**
 * A unit and span of months an answer reads: its value over the span (`value`), or the
 * targets recorded for the span as a target period (rule 5) at the units its target can roll up from
 * (`target`), or both.
 */
export interface SpanRead extends MonthSpan {
  readonly indicator: string;
  readonly unitId: string;
  value: boolean;
  /** A STOCK's value: each leaf's last month in the span, instead of the sum of its months. */
  readonly stock: boolean;
  /** The target period's code, for a target read. */
  target?: string;
}

const NOTHING: Evaluated = { value: null, intact: true, expected: 0, reported: 0 };

const spanKey = (indicator: string, unitId: string, span: MonthSpan) =>
  `${indicator}|${unitId}|${span.startMonth}|${span.endMonth}`;

/** What an evaluator is told of a span it values. */
type SpanHook = (indicator: Indicator, unitId: string, span: MonthSpan) => Evaluated;

/**
 * The reference evaluator with a value over a span taken from `spanValue` instead of walked, except a
 * STOCK's over a span that a unit of its walk divides (see {@link stockSplits}): that one is walked by
 * the evaluator's rules (told to `onSplit` first), down to the spans it can take. Every target
 * request is answered by `targetRead` when given; targets otherwise roll up from the target figures
 * it holds.
 */
export class SpanEvaluator extends ReferenceEvaluator {
  constructor(
    private readonly units: UnitCatalog,
    targets: readonly Figure[],
    private readonly spanValue: SpanHook,
    private readonly targetRead?: (indicator: Indicator, unitId: string, tp: Period) => Evaluated,
    private readonly onSplit?: (indicator: Indicator, unitId: string, span: MonthSpan) => void,
  ) {
    super(units, targets);
  }

  override value(indicator: Indicator, unitId: string, node: Parameters<ReferenceEvaluator['value']>[2]): Evaluated {
    if (indicator.rule === 'STOCK' && stockSplits(this.units, unitId, node)) {
      this.onSplit?.(indicator, unitId, node);
      return super.value(indicator, unitId, node);
    }
    return this.spanValue(indicator, unitId, node);
  }

  /** A FLOW's rule-9 weight is its month sources' (the same number as walking the hierarchy, without the walk). */
  override weight(
    indicator: Pick<Indicator, 'rule'>,
    unitId: string,
    node: Parameters<ReferenceEvaluator['weight']>[2],
  ): number {
    return indicator.rule === 'FLOW' ? expectedOver(this.units, unitId, node) : super.weight(indicator, unitId, node);
  }

  override targetNode(indicator: Indicator, unitId: string, tp: Period): Evaluated {
    return this.targetRead ? this.targetRead(indicator, unitId, tp) : super.targetNode(indicator, unitId, tp);
  }
}

/** The spans an answer reads, and whether the evaluator walks a STOCK span that a newer unit divides. */
export interface AnswerReads {
  readonly spans: SpanRead[];
  readonly walked: boolean;
}

/**
 * Every span the plan's rows and totals read, each once: the rows are made once with every value and
 * target empty, recording what was asked for, so that the reads are exactly those of
 * {@link evaluateRows}. Undefined when the additive path cannot answer: a STOCK span that a unit of
 * its walk divides before that unit existed, where rule 4 would have to look at a partial
 * predecessor's own figures.
 */
export function answerReads(
  plan: Pick<AnswerPlan, 'rows' | 'groups' | 'measures'>,
  catalog: UnitCatalog,
): AnswerReads | undefined {
  const spans = new Map<string, SpanRead>();
  let answerable = true;
  let walked = false;
  const read = (indicator: Indicator, unitId: string, span: MonthSpan): SpanRead => {
    const key = spanKey(indicator.code, unitId, span);
    let s = spans.get(key);
    if (!s) {
      s = {
        indicator: indicator.code,
        unitId,
        startMonth: span.startMonth,
        endMonth: span.endMonth,
        value: false,
        stock: indicator.rule === 'STOCK',
      };
      spans.set(key, s);
    }
    return s;
  };
  const reader = new SpanEvaluator(
    catalog,
    [],
    (indicator, unitId, span) => {
      read(indicator, unitId, span).value = true;
      return NOTHING;
    },
    (indicator, unitId, period) => {
      read(indicator, unitId, period).target = period.code;
      return NOTHING;
    },
    (indicator, unitId, span) => {
      // A walked span is read too, only so that a figure that rule 1 or 2 would take there (one the
      // walk does not see, since it holds no values) makes the question irregular.
      read(indicator, unitId, span).value = true;
      walked = true;
      const unit = catalog.get(unitId)!;
      if (monthEndDate(span.endMonth) < unit.validFrom && catalog.contributions(unitId).partial.length)
        answerable = false;
    },
  );
  evaluateRows(plan, reader);
  return answerable ? { spans: [...spans.values()], walked } : undefined;
}

/** The kinds of `unit_month_source` rows (`MonthSourceKind`), as the statement compares them. */
const READ = `'READ'`;
const LOST = `'LOST'`;
const OWN = `'OWN'`;

/** The additive statement, and whether it reads the store's copy of the catalogue (its digest row, key -1). */
export interface AdditiveStatement extends SqlStatement {
  readonly readsCatalog: boolean;
}

/**
 * The most month sources a statement binds as lists, unless each span has one (see
 * {@link additiveStatement}); a question with more joins the store's `unit_month_source`. Bound, a
 * small question's statement has fewer operators to plan (planning is most of its cost); joined, a
 * large one is planned with the table's statistics.
 */
export const BOUND_SOURCES_MAX = 64;

/** A span's month source, as a statement reads it (`key`: the span's position in the statement). */
interface Cell {
  readonly key: number;
  readonly span: SpanRead;
  readonly source: MonthSource;
}

/**
 * The month sources each span reads: those that overlap the span, without the `OWN` sources of a
 * value span whose indicator is not `checked` (see {@link additiveStatement}).
 */
export function spanCells(
  catalog: UnitCatalog,
  spans: readonly SpanRead[],
  checked: (indicator: string) => boolean,
): Cell[] {
  const cells: Cell[] = [];
  for (const [key, span] of spans.entries()) {
    const own = checked(span.indicator) || span.target !== undefined;
    for (const source of monthSources(catalog, span.unitId)) {
      if (source.fromMonth > span.endMonth || source.toMonth < span.startMonth) continue;
      if (source.kind === 'OWN' && !own) continue;
      cells.push({ key, span, source });
    }
  }
  return cells;
}

/**
 * One statement that reads every span of `spans` by its month sources: per span (by its position)
 * that has figures at its sources, for a value read, the sum of its recorded months times their
 * shares, their reported rule-9 weight, how many partial predecessors' figures rule 4 loses and how
 * many figures make the sum wrong (`irregular`); for a target read, the targets recorded for exactly
 * the span at its sources (every unit its target can roll up from), as one text of `unit<US>target`
 * records. Only the value spans of the indicators `checked` are checked for a unit's own figures
 * (`OWN` sources, whose units the scan then reads too): the others' values are known to be all
 * leaves' months. A target read needs them all: a target is recorded at any level.
 *
 * A few sources, or one per span, are bound as lists; more are joined from the store's
 * `unit_month_source` (the span's unit by its `uid` in `keys`), and then a first row with `key` -1
 * carries the catalogue digest the store holds, read in the same snapshot as the sources
 * (`readsCatalog`).
 */
export function additiveStatement(
  spans: readonly SpanRead[],
  catalog: UnitCatalog,
  keys: ReadonlyMap<string, { readonly uid: number }>,
  checked: (indicator: string) => boolean = () => true,
  sources: NonNullable<AggregateOptions['additiveSources']> = 'auto',
): AdditiveStatement {
  const { bind, statement } = binder();
  const list = <T extends DuckDBValue>(xs: readonly T[], type: DuckDBType) => bind(listValue(xs), LIST(type));
  const anyStock = spans.some((s) => s.value && s.stock);
  const all = spanCells(catalog, spans, checked);
  const codes = [...new Set(spans.map((s) => s.indicator))];
  // Without a target read (a question of values), the statement has no target columns to plan.
  const anyTarget = spans.some((s) => s.target !== undefined);
  // Where no span has two cells (leaves asked about), a span is its cell.
  const oneCellEach = new Set(all.map((c) => c.key)).size === all.length;
  const numbered = anyStock && !oneCellEach;
  // With one source per span (leaves asked about) the bound cells are the spans themselves, which the
  // stored form binds too: binding them saves the join with the catalogue table, however many.
  const bound = sources === 'bound' || (sources === 'auto' && (oneCellEach || all.length <= BOUND_SOURCES_MAX));
  const cells = bound
    ? boundCellsCte(all, { cell: numbered, indicator: codes.length > 1, stock: anyStock, targets: anyTarget }, list)
    : storedCellsCte(spans, keys, checked, numbered, list);
  // One indicator is a filter DuckDB applies while it scans. Several are left to the join with the
  // cells, which DuckDB also applies while it scans: a list compared with every fact's code costs
  // more. The range of months is checked against each row group's minimum and maximum first.
  const indicatorFilter =
    codes.length === 1 ? `f.indicator = ${bind(codes[0]!, VARCHAR)}` : 'f.indicator = c.indicator';
  const first = bind(Math.min(...spans.map((s) => s.startMonth)), INTEGER);
  const last = bind(Math.max(...spans.map((s) => s.endMonth)), INTEGER);
  const targetColumns = anyTarget
    ? `count(target) AS n, string_agg(target, chr(${RECORD})) AS targets`
    : '0 AS n, NULL AS targets';
  const counted = anyTarget ? 'counts OR target IS NOT NULL' : 'counts';
  const read = `counts AND kind = ${READ} AND month`;
  const lost = all.some((c) => c.source.kind === 'LOST')
    ? `count(*) FILTER (WHERE counts AND kind = ${LOST} AND month)`
    : '0';
  const irregular = `count(*) FILTER (WHERE counts AND (kind = ${OWN} OR NOT month))`;
  // Only FLOWs: each span's months summed, in one aggregate.
  const flowAggregate = `SELECT key, sum(value * share) FILTER (WHERE ${read}) AS value,
      sum(share) FILTER (WHERE ${read}) AS reported, ${lost} AS lost, ${irregular} AS irregular, ${targetColumns},
      NULL AS digest
    FROM joined WHERE ${counted} GROUP BY key`;
  // With STOCKs, each cell (a source's months in a span) first: a FLOW's months summed, a STOCK's last
  // month, reported once; then the cells times their shares.
  const cellsAggregate = `SELECT key, any_value(share) AS share,
        CASE WHEN any_value(stock) THEN arg_max(value, start_month) FILTER (WHERE ${read})
          ELSE sum(value) FILTER (WHERE ${read}) END AS value,
        CASE WHEN any_value(stock) THEN least(count(*) FILTER (WHERE ${read}), 1)
          ELSE count(*) FILTER (WHERE ${read}) END AS reported,
        ${lost} AS lost, ${irregular} AS irregular, ${targetColumns}
      FROM joined WHERE ${counted} GROUP BY key${oneCellEach ? '' : ', cell'}`;
  const stockAggregate = oneCellEach
    ? `SELECT key, value * share AS value, reported * share AS reported, lost, irregular, n, targets, NULL AS digest
    FROM (${cellsAggregate})`
    : `SELECT key, sum(value * share) AS value, sum(reported * share) AS reported, sum(lost) AS lost,
      sum(irregular) AS irregular, sum(n) AS n, string_agg(targets, chr(${RECORD})) AS targets, NULL AS digest
    FROM (${cellsAggregate}) GROUP BY key`;
  const digestRow = bound
    ? ''
    : `SELECT -1 AS key, NULL::DOUBLE AS value, NULL::DOUBLE AS reported, 0 AS lost, 0 AS irregular, 0 AS n,
      NULL AS targets, (SELECT value FROM ${META_TABLE} WHERE key = ${bind(CATALOG_DIGEST, VARCHAR)}) AS digest
    UNION ALL
    `;
  // A figure counts for a value when it lies inside the span (rule 1 takes exactly the span, rule 2
  // anything inside it) and overlaps the months its unit is a source for; a target, when it is
  // recorded for exactly the span.
  return {
    ...statement(
      `WITH ${cells},
    joined AS (
      SELECT c.key, ${anyStock ? `${numbered ? 'c.cell, ' : ''}c.stock, f.start_month, ` : ''}c.kind, c.share, f.value,
        f.start_month = f.end_month AS month,
        f.value IS NOT NULL${anyTarget ? ' AND c.reads_value' : ''} AND f.start_month >= c.lo AND f.end_month <= c.hi AS counts${
          anyTarget
            ? `,
        CASE WHEN c.reads_target AND f.target IS NOT NULL AND f.start_month = c.lo AND f.end_month = c.hi
          THEN concat(f.unit_id, chr(${FIELD}), f.target::VARCHAR) END AS target`
            : ''
        }
      FROM cells c JOIN ${FACT_TABLE} f
        ON f.unit_id = c.source_id AND f.start_month <= c.b AND f.end_month >= c.a
      WHERE ${indicatorFilter} AND f.start_month >= ${first} AND f.end_month <= ${last}
    )
    ${digestRow}${anyStock ? stockAggregate : flowAggregate}`,
    ),
    readsCatalog: !bound,
  };
}

type ListBinder = <T extends DuckDBValue>(xs: readonly T[], type: DuckDBType) => string;

/** What a statement's cells need besides their span, source and months. */
interface CellColumns {
  /** The cell's position: a STOCK span of several cells aggregates each first. */
  readonly cell: boolean;
  /** Several indicators are joined by their code. */
  readonly indicator: boolean;
  /** A STOCK reads each source's last month. */
  readonly stock: boolean;
  /** Some spans are read for their targets (and some may be read only for them). */
  readonly targets: boolean;
}

/**
 * The cells of a few sources, bound as lists (a cell is its position), with only the columns the
 * statement reads: a small question's cost is mostly DuckDB planning its statement.
 */
function boundCellsCte(cells: readonly Cell[], needs: CellColumns, list: ListBinder): string {
  const column = <T extends DuckDBValue>(name: string, type: DuckDBType, of: (c: Cell, i: number) => T) =>
    `unnest(${list(cells.map(of), type)}) AS ${name}`;
  const columns = [
    column('key', INTEGER, (c) => c.key),
    column('lo', INTEGER, (c) => c.span.startMonth),
    column('hi', INTEGER, (c) => c.span.endMonth),
    column('source_id', VARCHAR, (c) => c.source.unitId),
    column('kind', VARCHAR, (c) => c.source.kind),
    column('share', DOUBLE, (c) => c.source.share),
    column('a', INTEGER, (c) => Math.max(c.span.startMonth, c.source.fromMonth)),
    column('b', INTEGER, (c) => Math.min(c.span.endMonth, c.source.toMonth)),
  ];
  if (needs.cell) columns.push(column('cell', INTEGER, (_, i) => i));
  if (needs.indicator) columns.push(column('indicator', VARCHAR, (c) => c.span.indicator));
  if (needs.stock) columns.push(column('stock', BOOLEAN, (c) => c.span.stock));
  if (needs.targets) {
    columns.push(column('reads_value', BOOLEAN, (c) => c.span.value));
    columns.push(column('reads_target', BOOLEAN, (c) => c.span.target !== undefined));
  }
  return `cells AS (
      SELECT ${columns.join(',\n        ')}
    )`;
}

/** The cells of the spans' units' sources, joined from the store's `unit_month_source`. */
function storedCellsCte(
  spans: readonly SpanRead[],
  keys: ReadonlyMap<string, { readonly uid: number }>,
  checked: (indicator: string) => boolean,
  numbered: boolean,
  list: ListBinder,
): string {
  const uidOf = (id: string) => {
    const key = keys.get(id);
    if (key === undefined) throw new Error(`Expected a unit of the catalogue, got "${id}"`);
    return key.uid;
  };
  const column = <T extends DuckDBValue>(name: string, type: DuckDBType, of: (s: SpanRead, i: number) => T) =>
    `unnest(${list(spans.map(of), type)}) AS ${name}`;
  return `spans AS (
      SELECT ${[
        column('key', INTEGER, (_, i) => i),
        column('indicator', VARCHAR, (s) => s.indicator),
        column('uid', INTEGER, (s) => uidOf(s.unitId)),
        column('lo', INTEGER, (s) => s.startMonth),
        column('hi', INTEGER, (s) => s.endMonth),
        column('reads_value', BOOLEAN, (s) => s.value),
        column('reads_target', BOOLEAN, (s) => s.target !== undefined),
        column('stock', BOOLEAN, (s) => s.stock),
        column('checks', BOOLEAN, (s) => checked(s.indicator)),
      ].join(',\n        ')}
    ),
    cells AS (
      SELECT ${numbered ? 'row_number() OVER () AS cell, ' : ''}p.key, p.indicator, p.lo, p.hi, p.reads_value,
        p.reads_target, p.stock, s.source_id, s.kind, s.share,
        greatest(p.lo, s.from_month) AS a, least(p.hi, s.to_month) AS b
      FROM spans p JOIN ${MONTH_SOURCE_TABLE} s ON s.unit_uid = p.uid AND s.from_month <= p.hi AND s.to_month >= p.lo
      WHERE p.checks OR p.reads_target OR s.kind <> ${OWN}
    )`;
}

/**
 * What rule 9 expects of a unit over a span, from its `READ` month sources inside the span and their
 * shares (the catalogue's, computed without the facts): for a FLOW their months, for a STOCK each
 * source once (over a span that no unit of its walk divides, see {@link stockSplits}).
 */
export function expectedOver(catalog: UnitCatalog, unitId: string, span: MonthSpan, stock = false): number {
  let expected = 0;
  for (const s of monthSources(catalog, unitId)) {
    if (s.kind !== 'READ') continue;
    const months = Math.min(s.toMonth, span.endMonth) - Math.max(s.fromMonth, span.startMonth) + 1;
    if (months > 0) expected += s.share * (stock ? 1 : months);
  }
  return expected;
}

/**
 * Whether a unit of the walk of `unitId` over a span of several months began inside the span (not on
 * its first day): rules 2 and 4 then split the span there, and a STOCK takes its latest part with a
 * value, which is not each leaf's last month summed.
 */
export function stockSplits(catalog: UnitCatalog, unitId: string, span: MonthSpan): boolean {
  if (span.startMonth === span.endMonth) return false;
  const start = monthStartDate(span.startMonth);
  const end = monthEndDate(span.endMonth);
  return monthSources(catalog, unitId).some((s) => {
    if (s.kind === 'LOST' || s.fromMonth > span.endMonth || s.toMonth < span.startMonth) return false;
    const from = catalog.get(s.unitId)!.validFrom;
    return start < from && from <= end;
  });
}

/** The answer of {@link additiveStatement}: each span's value and the targets read, or why there are none. */
export type AdditiveAnswer =
  | { readonly kind: 'values'; readonly values: SpanValues; readonly targets: Figure[] }
  | { readonly kind: 'irregular' }
  | { readonly kind: 'catalog'; readonly digest: string | null };

/**
 * Reads {@link additiveStatement}'s rows for `spans`: each value span's value by its indicator, unit
 * and months (a span without sources expects nothing and has no value) and the targets read, or
 * `irregular` when a figure makes some sum wrong, or `catalog` when the store holds another catalogue
 * than `digest` (undefined for a statement that reads no catalogue table: its sources were bound).
 */
export function additiveValues(
  catalog: UnitCatalog,
  rows: readonly Record<string, unknown>[],
  spans: readonly SpanRead[],
  digest: string | undefined,
): AdditiveAnswer {
  const values = new Map<string, Evaluated>();
  for (const s of spans)
    if (s.value)
      values.set(spanKey(s.indicator, s.unitId, s), {
        ...NOTHING,
        expected: expectedOver(catalog, s.unitId, s, s.stock),
      });
  const targets: Figure[] = [];
  let found: string | null | undefined;
  for (const r of rows) {
    const key = Number(r.key);
    if (key === -1 && digest !== undefined) {
      found = r.digest === null || r.digest === undefined ? null : String(r.digest);
      continue;
    }
    if (Number(r.irregular) > 0) return { kind: 'irregular' };
    const s = spans[key];
    if (!s) throw new Error(`Expected a span key below ${spans.length}, got ${key}`);
    if (s.value) {
      const spanAt = spanKey(s.indicator, s.unitId, s);
      values.set(spanAt, {
        value: r.value === null ? null : Number(r.value),
        intact: Number(r.lost) === 0,
        expected: values.get(spanAt)!.expected,
        reported: r.reported === null ? 0 : Number(r.reported),
      });
    }
    if (s.target !== undefined && Number(r.n) > 0) targets.push(...targetsOf(s, Number(r.n), String(r.targets)));
  }
  if (digest !== undefined) {
    if (found === undefined) throw new Error('Expected the catalogue digest row (key -1) in the additive answer');
    if (found !== digest) return { kind: 'catalog', digest: found };
  }
  return { kind: 'values', values: new SpanValues(values), targets };
}

/** A target span's `unit<US>target` records as figures of its indicator and period. */
function targetsOf(span: SpanRead, n: number, text: string): Figure[] {
  const figures = text.split(String.fromCharCode(RECORD)).map((record) => {
    const [unitId, target, ...rest] = record.split(String.fromCharCode(FIELD));
    if (target === undefined || rest.length)
      throw new Error(`Expected a target as 2 fields (unit, target), got "${record}"`);
    return { indicator: span.indicator, unitId: unitId!, period: span.target!, value: null, target: Number(target) };
  });
  if (figures.length !== n) throw new Error(`Expected ${n} targets, got ${figures.length}`);
  return figures;
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
