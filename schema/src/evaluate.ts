import { findIndicator, Indicator, meetsTarget } from './catalogue';
import {
  decomposeSpan,
  DEFAULT_TERMS,
  enclosingPeriod,
  exactPeriod,
  monthEndDate,
  monthStartDate,
  MonthSpan,
  Period,
  shiftYears,
  spanContains,
  subPeriods,
  Term,
  tryParsePeriod,
} from './periods';
import { Contributions, UnitCatalog, UnitVersion } from './units';

/** A recorded figure: a value, a target, or both, for one indicator, unit version and period. */
export interface Figure {
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
}

/**
 * A computed value with its coverage weights (DESIGN 3 rule 9): `expected` and `reported`
 * leaf-months (leaves for a STOCK), and whether no figure was lost to rule 4 (`intact`). For a ratio,
 * `expected` is 1 and `reported` the smaller of its two sides' coverage.
 */
export interface Evaluated {
  readonly value: number | null;
  readonly intact: boolean;
  readonly expected: number;
  readonly reported: number;
}

/** How much of each number of a row was reported (DESIGN 3 rule 9), each from 0 to 1. */
export interface Coverage {
  readonly value: number;
  readonly target: number;
  readonly yearToDate: number;
  readonly samePeriod: number;
}

/** The numbers of one answer row (DESIGN 4). */
export interface RowValues {
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodValue: number | null;
  readonly samePeriodPct: number | null;
  /** The value's coverage is 1 and no figure was lost to rule 4. */
  readonly complete: boolean;
  readonly coverage: Coverage;
  /** The year-to-date value meets the target, by the indicator's direction; null without both. */
  readonly targetMet: boolean | null;
}

/**
 * The numbers of a row besides its value that a question asks for; the value and its coverage are
 * always computed. A number not asked for is null, and its coverage 0.
 */
export interface Measures {
  /** The same period a year earlier: `samePeriodValue`, `samePeriodPct` and their coverage. */
  readonly samePeriod: boolean;
  /** The target and the year to date: `target`, `achievementPct`, `targetMet` and their coverage. */
  readonly target: boolean;
}

/** Every number of a row. */
export const ALL_MEASURES: Measures = { samePeriod: true, target: true };

/** A row's numbers with those not asked for null, and their coverage 0. */
export function onlyMeasures<T extends RowValues>(v: T, measures: Measures): T {
  if (measures.samePeriod && measures.target) return v;
  const coverage = { ...v.coverage };
  let out: T = v;
  if (!measures.samePeriod) {
    out = { ...out, samePeriodValue: null, samePeriodPct: null };
    coverage.samePeriod = 0;
  }
  if (!measures.target) {
    out = { ...out, target: null, achievementPct: null, targetMet: null };
    coverage.target = 0;
    coverage.yearToDate = 0;
  }
  return { ...out, coverage };
}

interface Recorded {
  readonly span: MonthSpan;
  readonly value: number | null;
  readonly target: number | null;
}

/**
 * What rules 1-4 are applied to: a calendar period or term (which may have a figure of its own), or a
 * span that is no single period (a term shifted a year back, a year to date), which has none and
 * splits into its calendar decomposition. Both are valued by the same rules ("Terms, in detail").
 */
interface Node extends MonthSpan {
  /** The period's code; absent for a span that is no period. */
  readonly code?: string;
  readonly isMonth: boolean;
  readonly start: string;
  readonly end: string;
}

/** Coverage below this distance from 1 is 1: shares such as 1/3 do not sum exactly. */
const EPSILON = 1e-9;

/**
 * reported / expected, from 0 to 1 (DESIGN 3 rule 9). A node nothing is expected of (a time before
 * its unit existed, with no predecessors) is covered exactly when it has a value.
 */
export function coverageOf(e: Pick<Evaluated, 'value' | 'expected' | 'reported'>): number {
  if (e.expected > 0) return Math.min(1, Math.max(0, e.reported / e.expected));
  return e.value === null ? 0 : 1;
}

/** Complete: the coverage is 1 and no figure was lost to rule 4. */
export function isComplete(e: Evaluated): boolean {
  return e.intact && coverageOf(e) >= 1 - EPSILON;
}

/**
 * DESIGN.md section 3, written to be read rather than to be fast: every rule is one branch of a
 * recursive function over figures held in memory. The analytics service computes the same numbers in
 * DuckDB; property-based tests hold the two together.
 */
export class ReferenceEvaluator {
  /** unitId -> indicator -> period code -> figure */
  private readonly figures = new Map<string, Map<string, Map<string, Recorded>>>();
  /*
   * Every method below is a function of its arguments over figures that never change, so each result
   * is kept (by indicator, unit and span) and computed once: a row's value, its same period, its year
   * to date and its target walk many of the same nodes. Only the cost changes, never a number.
   */
  private readonly values = new Memo<Evaluated>();
  private readonly weights = new Memo<number>();
  private readonly targets = new Memo<Evaluated>();
  private readonly nodes = new Map<number, Node>();
  private readonly partLists = new Map<number, Node[]>();
  private readonly childrenOf = new Map<string, UnitVersion[]>();
  private readonly contributionsOf = new Map<string, Contributions>();
  /** Per unit and indicator (its map of figures): its monthly values as a leaf, or null when it is not one. */
  private readonly monthsOf = new WeakMap<ReadonlyMap<string, Recorded>, LeafMonths | null>();

  constructor(
    private readonly catalog: UnitCatalog,
    figures: Iterable<Figure>,
    private readonly terms: readonly Term[] = DEFAULT_TERMS,
  ) {
    const spans = new Map<string, Period | undefined>();
    for (const f of figures) {
      let span = spans.get(f.period);
      if (!spans.has(f.period)) spans.set(f.period, (span = tryParsePeriod(f.period, terms)));
      if (!span) throw new RangeError(`Figure for ${f.indicator} ${f.unitId} has an invalid period "${f.period}"`);
      let byIndicator = this.figures.get(f.unitId);
      if (!byIndicator) this.figures.set(f.unitId, (byIndicator = new Map()));
      let byPeriod = byIndicator.get(f.indicator);
      if (!byPeriod) byIndicator.set(f.indicator, (byPeriod = new Map()));
      byPeriod.set(span.code, { span, value: f.value, target: f.target });
    }
  }

  /** The numbers of one row: `unitId` is the version the code resolved to on the boundaries' date. */
  row(indicator: Indicator, unitId: string, period: Period, measures: Measures = ALL_MEASURES): RowValues {
    return this.rowOf(indicator, unitId, [period], measures);
  }

  /**
   * The numbers of a row that combines several requested periods by the time rule (groupBy TERM
   * without PERIOD: the requested periods inside one term, in time order); one period is a plain row.
   */
  rowOf(
    indicator: Indicator,
    unitId: string,
    periods: readonly Period[],
    measures: Measures = ALL_MEASURES,
  ): RowValues {
    const value = this.measureOver(indicator, unitId, periods);
    const same = measures.samePeriod
      ? this.measureOver(
          indicator,
          unitId,
          periods.map((p) => shiftYears(p, -1)),
        )
      : undefined;
    const span = { startMonth: periods[0]!.startMonth, endMonth: periods[periods.length - 1]!.endMonth };
    const tp =
      measures.target && indicator.targetGrain ? enclosingPeriod(span, indicator.targetGrain, this.terms) : undefined;
    const target = tp ? this.targetNode(indicator, unitId, tp) : undefined;
    const ytd = tp ? this.yearToDateOf(indicator, unitId, periods, tp) : undefined;
    return rowValuesOf(indicator, value, same, ytd, target);
  }

  /** Several periods or spans combined by the time rule; a ratio from its two combined sides. */
  measureOver(indicator: Indicator, unitId: string, spans: readonly MonthSpan[]): Evaluated {
    if (indicator.rule === 'RATIO') {
      return ratioOf(
        this.measureOver(base(indicator.numerator!), unitId, spans),
        this.measureOver(base(indicator.denominator!), unitId, spans),
      );
    }
    return combineInTime(
      indicator,
      spans.map((s) => this.valueOverSpan(indicator, unitId, s)),
    );
  }

  /** Rule 5's year to date of a row of several periods: up to the end of the last one. */
  yearToDateOf(indicator: Indicator, unitId: string, periods: readonly Period[], tp: Period): Evaluated {
    if (indicator.rule === 'RATIO') {
      return ratioOf(
        this.yearToDateOf(base(indicator.numerator!), unitId, periods, tp),
        this.yearToDateOf(base(indicator.denominator!), unitId, periods, tp),
      );
    }
    if (indicator.rule === 'STOCK') return this.measureOver(indicator, unitId, periods);
    return this.valueOverSpan(indicator, unitId, {
      startMonth: tp.startMonth,
      endMonth: periods[periods.length - 1]!.endMonth,
    });
  }

  /** An indicator's value over a period or span: a base indicator's by rules 1-4, a ratio's by rule 7. */
  measure(indicator: Indicator, unitId: string, span: MonthSpan): Evaluated {
    if (indicator.rule !== 'RATIO') return this.valueOverSpan(indicator, unitId, span);
    const num = this.valueOverSpan(base(indicator.numerator!), unitId, span);
    const den = this.valueOverSpan(base(indicator.denominator!), unitId, span);
    return ratioOf(num, den);
  }

  /**
   * A span is valued like a period ("Terms, in detail"): the period it is exactly, if it is one, else
   * a node without a figure of its own whose parts are its calendar decomposition.
   */
  valueOverSpan(indicator: Indicator, unitId: string, span: MonthSpan): Evaluated {
    return this.value(indicator, unitId, this.nodeOf(span));
  }

  /** Rules 1-4 (and the coverage of rule 9) for a FLOW or STOCK indicator. */
  value(indicator: Indicator, unitId: string, period: Period | Node): Evaluated {
    const node = 'isMonth' in period ? period : this.nodeOf(period);
    return this.values.get(indicator.code, unitId, spanKey(node), () => this.computeValue(indicator, unitId, node));
  }

  private computeValue(indicator: Indicator, unitId: string, node: Node): Evaluated {
    const unit = this.catalog.get(unitId);
    if (!unit) return { value: null, intact: true, expected: 0, reported: 0 };
    // Rule 1: the unit's own figure for exactly this period accounts for everything expected of it.
    const own = node.code === undefined ? undefined : this.recorded(unitId, indicator.code, node.code);
    if (own?.value != null) {
      const expected = this.weight(indicator, unitId, node);
      return { value: own.value, intact: true, expected, reported: expected };
    }
    // Rule 4: a period that ends before the unit existed is made of the units of that time.
    if (node.end < unit.validFrom) return this.beforeUnit(indicator, unitId, node);
    // A leaf that existed all along and recorded only months: rules 1-3 come to its months' sum (the
    // last month's value for a STOCK), found without walking the period's sub-periods.
    if (node.start >= unit.validFrom) {
      const months = this.leafMonths(unitId, indicator.code);
      if (months) return leafValue(indicator, months, node);
    }
    // A month that straddles the change belongs to the unit of its last day, so it is never split.
    const straddles = node.start < unit.validFrom && !node.isMonth;
    // Rule 2: the unit recorded something inside the period (or it began inside it): split in time.
    if (straddles || this.recordedInside(unitId, indicator.code, node)) {
      return combineInTime(
        indicator,
        this.partsOf(node).map((p) => this.value(indicator, unitId, p)),
      );
    }
    // Rule 3: the sum of the children; a unit without children is a leaf that did not report.
    const children = this.children(unitId);
    if (!children.length)
      return { value: null, intact: true, expected: this.weight(indicator, unitId, node), reported: 0 };
    return sumOver(children.map((c) => this.value(indicator, c.id, node)));
  }

  /** Rule 4 for a period that lies wholly before `unitId` existed. */
  private beforeUnit(indicator: Indicator, unitId: string, node: Node): Evaluated {
    const c = this.contributions(unitId);
    const parts: Evaluated[] = [
      ...c.whole.map((id) => this.value(indicator, id, node)),
      ...c.shares.map(({ id, share }) => scale(this.value(indicator, id, node), share)),
    ];
    const lost = c.partial.some((id) => this.recordedInside(id, indicator.code, node));
    const sum = sumOver(parts);
    return { ...sum, intact: sum.intact && !lost };
  }

  /**
   * What rule 9 expects of a node, whatever was recorded: leaf-months for a FLOW, leaves at the end of
   * the period for a STOCK; before the unit existed, its predecessors' by their shares.
   */
  weight(indicator: Pick<Indicator, 'rule'>, unitId: string, node: Node): number {
    return this.weights.get(indicator.rule, unitId, spanKey(node), () => this.computeWeight(indicator, unitId, node));
  }

  private computeWeight(indicator: Pick<Indicator, 'rule'>, unitId: string, node: Node): number {
    const unit = this.catalog.get(unitId);
    if (!unit) return 0;
    if (node.end < unit.validFrom) {
      const c = this.contributions(unitId);
      return (
        c.whole.reduce((s, id) => s + this.weight(indicator, id, node), 0) +
        c.shares.reduce((s, { id, share }) => s + share * this.weight(indicator, id, node), 0)
      );
    }
    if (node.start < unit.validFrom && !node.isMonth) {
      const parts = this.partsOf(node).map((p) => this.weight(indicator, unitId, p));
      return indicator.rule === 'STOCK' ? parts[parts.length - 1]! : parts.reduce((s, w) => s + w, 0);
    }
    const children = this.children(unitId);
    if (!children.length) return indicator.rule === 'STOCK' ? 1 : node.endMonth - node.startMonth + 1;
    return children.reduce((s, c) => s + this.weight(indicator, c.id, node), 0);
  }

  /** The target of the target period containing `period` (rule 5), that period, and its coverage. */
  targetFor(
    indicator: Indicator,
    unitId: string,
    period: Period,
  ): { value: number | null; period?: Period; node?: Evaluated } {
    if (!indicator.targetGrain) return { value: null };
    const tp = enclosingPeriod(period, indicator.targetGrain, this.terms);
    if (!tp) return { value: null };
    const node = this.targetNode(indicator, unitId, tp);
    return { value: node.value, period: tp, node };
  }

  /** Targets roll up by rules 1, 3 and 4 (FLOW, STOCK); a RATIO target only where it was set. */
  target(indicator: Indicator, unitId: string, tp: Period): number | null {
    return this.targetNode(indicator, unitId, tp).value;
  }

  /**
   * A target with its coverage: an own target covers its unit's whole weight for the target period; a
   * RATIO target is never summed, so it is covered where it was recorded and not elsewhere.
   */
  targetNode(indicator: Indicator, unitId: string, tp: Period): Evaluated {
    return this.targets.get(indicator.code, unitId, spanKey(tp), () => this.computeTargetNode(indicator, unitId, tp));
  }

  private computeTargetNode(indicator: Indicator, unitId: string, tp: Period): Evaluated {
    const unit = this.catalog.get(unitId);
    if (!unit) return { value: null, intact: true, expected: 0, reported: 0 };
    const own = this.recorded(unitId, indicator.code, tp.code);
    const node = this.nodeOf(tp);
    if (indicator.rule === 'RATIO')
      return { value: own?.target ?? null, intact: true, expected: 1, reported: own?.target != null ? 1 : 0 };
    if (own?.target != null) {
      const expected = this.weight(indicator, unitId, node);
      return { value: own.target, intact: true, expected, reported: expected };
    }
    if (tp.end < unit.validFrom) {
      const c = this.contributions(unitId);
      return sumOver([
        ...c.whole.map((id) => this.targetNode(indicator, id, tp)),
        ...c.shares.map(({ id, share }) => scale(this.targetNode(indicator, id, tp), share)),
      ]);
    }
    const children = this.children(unitId);
    if (!children.length)
      return { value: null, intact: true, expected: this.weight(indicator, unitId, node), reported: 0 };
    return sumOver(children.map((ch) => this.targetNode(indicator, ch.id, tp)));
  }

  /**
   * Rule 5's year-to-date value: over [start of the target period, end of P] for FLOW (a node like any
   * other, so a P that ends the target period gives the target period's own value), the value at the
   * end of P for STOCK, and for a RATIO the ratio of its parts' year-to-date values.
   */
  yearToDate(indicator: Indicator, unitId: string, period: Period, targetPeriod: Period): Evaluated {
    if (indicator.rule === 'RATIO') {
      const num = this.yearToDate(base(indicator.numerator!), unitId, period, targetPeriod);
      const den = this.yearToDate(base(indicator.denominator!), unitId, period, targetPeriod);
      return ratioOf(num, den);
    }
    if (indicator.rule === 'STOCK') return this.value(indicator, unitId, period);
    return this.valueOverSpan(indicator, unitId, { startMonth: targetPeriod.startMonth, endMonth: period.endMonth });
  }

  private children(unitId: string): UnitVersion[] {
    let children = this.childrenOf.get(unitId);
    if (!children) this.childrenOf.set(unitId, (children = this.catalog.children(unitId)));
    return children;
  }

  private contributions(unitId: string): Contributions {
    let c = this.contributionsOf.get(unitId);
    if (!c) this.contributionsOf.set(unitId, (c = this.catalog.contributions(unitId)));
    return c;
  }

  /** The node of a period or span (never of a node: a node is not a period, see exactPeriod). */
  private nodeOf(span: MonthSpan): Node {
    const key = spanKey(span);
    let node = this.nodes.get(key);
    if (!node) this.nodes.set(key, (node = nodeOf(span, this.terms)));
    return node;
  }

  private partsOf(node: Node): Node[] {
    const key = spanKey(node);
    let parts = this.partLists.get(key);
    if (!parts) this.partLists.set(key, (parts = partsOf(node, this.terms)));
    return parts;
  }

  private recorded(unitId: string, indicator: string, code: string): Recorded | undefined {
    return this.figures.get(unitId)?.get(indicator)?.get(code);
  }

  /**
   * The months `unitId` recorded a value of `indicator` for, in time order, when it is a leaf whose
   * values are all monthly; undefined otherwise (a unit with children, or a value for a longer period).
   */
  private leafMonths(unitId: string, indicator: string): LeafMonths | undefined {
    const byPeriod = this.figures.get(unitId)?.get(indicator);
    if (!byPeriod) return undefined;
    let months = this.monthsOf.get(byPeriod);
    if (months === undefined) {
      months = this.children(unitId).length ? null : monthlyValues(byPeriod);
      this.monthsOf.set(byPeriod, months);
    }
    return months ?? undefined;
  }

  private recordedInside(unitId: string, indicator: string, span: MonthSpan): boolean {
    const byPeriod = this.figures.get(unitId)?.get(indicator);
    if (!byPeriod) return false;
    for (const r of byPeriod.values()) if (r.value !== null && spanContains(span, r.span)) return true;
    return false;
  }
}

/** A leaf's monthly values in time order (see `leafMonths`). */
interface LeafMonths {
  readonly month: readonly number[];
  readonly value: readonly number[];
}

/** The values recorded in `byPeriod`, in time order, when every one is for a month; else null. */
function monthlyValues(byPeriod: ReadonlyMap<string, Recorded>): LeafMonths | null {
  const valued = [...byPeriod.values()].filter((r) => r.value !== null);
  if (!valued.every((r) => r.span.startMonth === r.span.endMonth)) return null;
  valued.sort((a, b) => a.span.startMonth - b.span.startMonth);
  return { month: valued.map((r) => r.span.startMonth), value: valued.map((r) => r.value!) };
}

/**
 * What rules 1-3 give for a leaf that existed throughout `node` and recorded only months: a FLOW is
 * the sum of its recorded months, expected every month of the node; a STOCK is its last recorded
 * month, expected once; with no month recorded, no value (rule 8).
 */
function leafValue(indicator: Pick<Indicator, 'rule'>, months: LeafMonths, node: MonthSpan): Evaluated {
  let first = 0;
  let after = months.month.length;
  while (first < after) {
    const mid = (first + after) >> 1;
    if (months.month[mid]! < node.startMonth) first = mid + 1;
    else after = mid;
  }
  let last = first;
  while (last < months.month.length && months.month[last]! <= node.endMonth) last++;
  const reported = last - first;
  if (indicator.rule === 'STOCK')
    return reported
      ? { value: months.value[last - 1]!, intact: true, expected: 1, reported: 1 }
      : { value: null, intact: true, expected: 1, reported: 0 };
  let value: number | null = null;
  for (let i = first; i < last; i++) value = (value ?? 0) + months.value[i]!;
  return { value, intact: true, expected: node.endMonth - node.startMonth + 1, reported };
}

/** A span as one number, for the maps the evaluator keeps its results in. */
function spanKey(span: MonthSpan): number {
  return span.startMonth * 100_000 + span.endMonth;
}

/** Results kept by a first key (an indicator, a time rule), a unit and a span. */
class Memo<T> {
  private readonly byFirst = new Map<string, Map<string, Map<number, T>>>();

  get(first: string, unitId: string, span: number, compute: () => T): T {
    let byUnit = this.byFirst.get(first);
    if (!byUnit) this.byFirst.set(first, (byUnit = new Map()));
    let bySpan = byUnit.get(unitId);
    if (!bySpan) byUnit.set(unitId, (bySpan = new Map()));
    let result = bySpan.get(span);
    if (result === undefined) bySpan.set(span, (result = compute()));
    return result;
  }
}

function nodeOf(span: MonthSpan, terms: readonly Term[]): Node {
  const period = exactPeriod(span, terms);
  return {
    startMonth: span.startMonth,
    endMonth: span.endMonth,
    ...(period ? { code: period.code } : {}),
    isMonth: period?.grain === 'MONTH',
    start: monthStartDate(span.startMonth),
    end: monthEndDate(span.endMonth),
  };
}

/** Rule 2's parts: a period's sub-periods, a span's calendar decomposition. */
function partsOf(node: Node, terms: readonly Term[]): Node[] {
  const period =
    node.code === undefined ? undefined : exactPeriod({ startMonth: node.startMonth, endMonth: node.endMonth }, terms);
  const parts = period ? subPeriods(period) : decomposeSpan(node);
  return parts.map((p) => nodeOf(p, terms));
}

function base(code: string): Indicator {
  const indicator = findIndicator(code);
  if (!indicator) throw new RangeError(`Catalogue names indicator ${code}, which it does not define`);
  return indicator;
}

/** A RATIO's numerator and denominator indicators. */
export function ratioSides(indicator: Pick<Indicator, 'code' | 'numerator' | 'denominator'>): [Indicator, Indicator] {
  if (indicator.numerator === undefined || indicator.denominator === undefined)
    throw new RangeError(`Expected a RATIO with a numerator and a denominator, got ${indicator.code}`);
  return [base(indicator.numerator), base(indicator.denominator)];
}

/**
 * The numbers of a row (or a total) from its evaluated value, same period, year to date and target
 * (the last two absent without a target period, each absent when not asked for): rules 5 and 6,
 * coverage (rule 9) and `targetMet`.
 */
export function rowValuesOf(
  indicator: Pick<Indicator, 'direction'>,
  value: Evaluated,
  same: Evaluated | undefined,
  ytd: Evaluated | undefined,
  target: Evaluated | undefined,
): RowValues {
  const ytdValue = ytd?.value ?? null;
  const targetValue = target?.value ?? null;
  return {
    value: value.value,
    target: targetValue,
    achievementPct: percent(ytdValue, targetValue),
    samePeriodValue: same?.value ?? null,
    samePeriodPct: same ? percent(value.value, same.value) : null,
    complete: isComplete(value),
    coverage: {
      value: coverageOf(value),
      target: target ? coverageOf(target) : 0,
      yearToDate: ytd ? coverageOf(ytd) : 0,
      samePeriod: same ? coverageOf(same) : 0,
    },
    targetMet: meetsTarget(indicator.direction, ytdValue, targetValue),
  };
}

/** Rule 7 with rule 9: the ratio of the two values, covered as much as the less covered side. */
export function ratioOf(num: Evaluated, den: Evaluated): Evaluated {
  const value = percent(num.value, den.value);
  return { value, intact: num.intact && den.intact, expected: 1, reported: Math.min(coverageOf(num), coverageOf(den)) };
}

/**
 * FLOW sums the parts that have a value, and their weights; STOCK takes the latest part that has one
 * (else the last part), with that part's weights.
 */
export function combineInTime(indicator: Pick<Indicator, 'rule'>, parts: readonly Evaluated[]): Evaluated {
  const intact = parts.every((p) => p.intact);
  if (indicator.rule === 'STOCK') {
    for (let i = parts.length - 1; i >= 0; i--) if (parts[i]!.value !== null) return { ...parts[i]!, intact };
    const last = parts[parts.length - 1];
    return { value: null, intact, expected: last?.expected ?? 0, reported: last?.reported ?? 0 };
  }
  return { ...sumOver(parts), intact };
}

/** Sums the parts that have a value (no part with a value gives null, never 0: rule 8) and all weights. */
export function sumOver(parts: readonly Evaluated[]): Evaluated {
  let value: number | null = null;
  let expected = 0;
  let reported = 0;
  for (const p of parts) {
    if (p.value !== null) value = (value ?? 0) + p.value;
    expected += p.expected;
    reported += p.reported;
  }
  return { value, intact: parts.every((p) => p.intact), expected, reported };
}

function scale(e: Evaluated, share: number): Evaluated {
  return {
    value: e.value === null ? null : e.value * share,
    intact: e.intact,
    expected: e.expected * share,
    reported: e.reported * share,
  };
}

/** 100 x a / b; null when either is missing or b is zero (rule 8). */
export function percent(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return (100 * a) / b;
}
