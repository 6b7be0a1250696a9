import { findIndicator, Indicator } from './catalogue';
import {
  decomposeSpan,
  DEFAULT_TERMS,
  enclosingPeriod,
  MonthSpan,
  Period,
  shiftYears,
  spanContains,
  subPeriods,
  Term,
  tryParsePeriod,
} from './periods';
import { UnitCatalog } from './units';

/** A recorded figure: a value, a target, or both, for one indicator, unit version and period. */
export interface Figure {
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
}

/** A computed value and whether every figure it should include could be included (DESIGN 3 rule 4). */
export interface Evaluated {
  readonly value: number | null;
  readonly complete: boolean;
}

/** The numbers of one answer row (DESIGN 4). */
export interface RowValues {
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodValue: number | null;
  readonly samePeriodPct: number | null;
  readonly complete: boolean;
}

interface Recorded {
  readonly span: MonthSpan;
  readonly value: number | null;
  readonly target: number | null;
}

const NONE: Evaluated = { value: null, complete: true };

/**
 * DESIGN.md section 3, written to be read rather than to be fast: every rule is one branch of a
 * recursive function over figures held in memory. The analytics service computes the same numbers in
 * DuckDB; property-based tests hold the two together.
 */
export class ReferenceEvaluator {
  /** unitId -> indicator -> period code -> figure */
  private readonly figures = new Map<string, Map<string, Map<string, Recorded>>>();

  constructor(
    private readonly catalog: UnitCatalog,
    figures: Iterable<Figure>,
    private readonly terms: readonly Term[] = DEFAULT_TERMS,
  ) {
    for (const f of figures) {
      const span = tryParsePeriod(f.period, terms);
      if (!span) throw new RangeError(`Figure for ${f.indicator} ${f.unitId} has an invalid period "${f.period}"`);
      let byIndicator = this.figures.get(f.unitId);
      if (!byIndicator) this.figures.set(f.unitId, (byIndicator = new Map()));
      let byPeriod = byIndicator.get(f.indicator);
      if (!byPeriod) byIndicator.set(f.indicator, (byPeriod = new Map()));
      byPeriod.set(span.code, { span, value: f.value, target: f.target });
    }
  }

  /** The numbers of one row: `unitId` is the version the code resolved to on the boundaries' date. */
  row(indicator: Indicator, unitId: string, period: Period): RowValues {
    const value = this.measure(indicator, unitId, period);
    const shifted = shiftYears(period, -1);
    const same = this.measure(indicator, unitId, shifted);
    const target = this.targetFor(indicator, unitId, period);
    let achievementPct: number | null = null;
    if (target.value !== null && target.period) {
      achievementPct = percent(this.yearToDate(indicator, unitId, period, target.period).value, target.value);
    }
    return {
      value: value.value,
      target: target.value,
      achievementPct,
      samePeriodValue: same.value,
      samePeriodPct: percent(value.value, same.value),
      complete: value.complete,
    };
  }

  /** An indicator's value over a span: a base indicator's by rules 1-4, a ratio's by rule 7. */
  measure(indicator: Indicator, unitId: string, span: MonthSpan): Evaluated {
    if (indicator.rule !== 'RATIO') return this.valueOverSpan(indicator, unitId, span);
    const num = this.valueOverSpan(base(indicator.numerator!), unitId, span);
    const den = this.valueOverSpan(base(indicator.denominator!), unitId, span);
    return { value: percent(num.value, den.value), complete: num.complete && den.complete };
  }

  /** A span that is not a single period is the combination of its calendar parts by the time rule. */
  valueOverSpan(indicator: Indicator, unitId: string, span: MonthSpan): Evaluated {
    const asPeriod = 'code' in span ? (span as Period) : undefined;
    if (asPeriod) return this.value(indicator, unitId, asPeriod);
    const parts = decomposeSpan(span);
    if (parts.length === 1) return this.value(indicator, unitId, parts[0]!);
    return combineInTime(indicator, parts.map((p) => this.value(indicator, unitId, p)));
  }

  /** Rules 1-4 for a FLOW or STOCK indicator. */
  value(indicator: Indicator, unitId: string, period: Period): Evaluated {
    const unit = this.catalog.get(unitId);
    if (!unit) return NONE;
    // Rule 1: the unit's own figure for exactly this period.
    const own = this.recorded(unitId, indicator.code, period.code);
    if (own?.value != null) return { value: own.value, complete: true };
    // Rule 4: a period that starts before the unit existed is split where it began.
    if (period.end < unit.validFrom) return this.beforeUnit(indicator, unitId, period);
    // A month that straddles the change belongs to the unit of its last day, so it is never split.
    if (period.start < unit.validFrom && period.grain !== 'MONTH') {
      return combineInTime(
        indicator,
        subPeriods(period).map((p) => this.value(indicator, unitId, p)),
      );
    }
    // Rule 2: the unit recorded something inside the period, so the period is split in time.
    if (this.recordedInside(unitId, indicator.code, period)) {
      return combineInTime(
        indicator,
        subPeriods(period).map((p) => this.value(indicator, unitId, p)),
      );
    }
    // Rule 3: the sum of the children.
    return sumOver(this.catalog.children(unitId).map((c) => this.value(indicator, c.id, period)));
  }

  /** Rule 4 for a period that lies wholly before `unitId` existed. */
  private beforeUnit(indicator: Indicator, unitId: string, period: Period): Evaluated {
    const c = this.catalog.contributions(unitId);
    const parts: Evaluated[] = [
      ...c.whole.map((id) => this.value(indicator, id, period)),
      ...c.shares.map(({ id, share }) => scale(this.value(indicator, id, period), share)),
    ];
    const lost = c.partial.some((id) => this.recordedInside(id, indicator.code, period));
    const sum = sumOver(parts);
    return { value: sum.value, complete: sum.complete && !lost };
  }

  /** The target of the target period containing `period` (rule 5), and that period. */
  targetFor(indicator: Indicator, unitId: string, period: Period): { value: number | null; period?: Period } {
    if (!indicator.targetGrain) return { value: null };
    const tp = enclosingPeriod(period, indicator.targetGrain, this.terms);
    if (!tp) return { value: null };
    return { value: this.target(indicator, unitId, tp), period: tp };
  }

  /** Targets roll up by rules 1, 3 and 4 (FLOW, STOCK); a RATIO target only where it was set. */
  target(indicator: Indicator, unitId: string, tp: Period): number | null {
    const unit = this.catalog.get(unitId);
    if (!unit) return null;
    const own = this.recorded(unitId, indicator.code, tp.code);
    if (own?.target != null) return own.target;
    if (indicator.rule === 'RATIO') return null;
    if (tp.end < unit.validFrom) {
      const c = this.catalog.contributions(unitId);
      return sumOver([
        ...c.whole.map((id) => ({ value: this.target(indicator, id, tp), complete: true })),
        ...c.shares.map(({ id, share }) => scale({ value: this.target(indicator, id, tp), complete: true }, share)),
      ]).value;
    }
    return sumOver(
      this.catalog.children(unitId).map((ch) => ({ value: this.target(indicator, ch.id, tp), complete: true })),
    ).value;
  }

  /**
   * Rule 5's year-to-date value: over [start of the target period, end of P] for FLOW, the value at the
   * end of P for STOCK, and for a RATIO the ratio of its parts' year-to-date values.
   */
  yearToDate(indicator: Indicator, unitId: string, period: Period, targetPeriod: Period): Evaluated {
    if (indicator.rule === 'RATIO') {
      const num = this.yearToDate(base(indicator.numerator!), unitId, period, targetPeriod);
      const den = this.yearToDate(base(indicator.denominator!), unitId, period, targetPeriod);
      return { value: percent(num.value, den.value), complete: num.complete && den.complete };
    }
    if (indicator.rule === 'STOCK') return this.value(indicator, unitId, period);
    // When P starts the target period (P is the term itself), the span is P, whose value starts with
    // the unit's own figure for P (rule 1); decomposing it would ignore a figure recorded for the term.
    if (targetPeriod.startMonth === period.startMonth) return this.value(indicator, unitId, period);
    return this.valueOverSpan(indicator, unitId, { startMonth: targetPeriod.startMonth, endMonth: period.endMonth });
  }

  private recorded(unitId: string, indicator: string, code: string): Recorded | undefined {
    return this.figures.get(unitId)?.get(indicator)?.get(code);
  }

  private recordedInside(unitId: string, indicator: string, span: MonthSpan): boolean {
    const byPeriod = this.figures.get(unitId)?.get(indicator);
    if (!byPeriod) return false;
    for (const r of byPeriod.values()) if (r.value !== null && spanContains(span, r.span)) return true;
    return false;
  }
}

function base(code: string): Indicator {
  const indicator = findIndicator(code);
  if (!indicator) throw new RangeError(`Catalogue names indicator ${code}, which it does not define`);
  return indicator;
}

/** FLOW sums the parts that have a value; STOCK takes the latest part that has one. */
export function combineInTime(indicator: Indicator, parts: readonly Evaluated[]): Evaluated {
  const complete = parts.every((p) => p.complete);
  if (indicator.rule === 'STOCK') {
    for (let i = parts.length - 1; i >= 0; i--) if (parts[i]!.value !== null) return { value: parts[i]!.value, complete };
    return { value: null, complete };
  }
  return { value: sumOver(parts).value, complete };
}

/** Sums the parts that have a value; no part with a value gives null, never 0 (rule 8). */
export function sumOver(parts: readonly Evaluated[]): Evaluated {
  let value: number | null = null;
  for (const p of parts) if (p.value !== null) value = (value ?? 0) + p.value;
  return { value, complete: parts.every((p) => p.complete) };
}

function scale(e: Evaluated, share: number): Evaluated {
  return { value: e.value === null ? null : e.value * share, complete: e.complete };
}

/** 100 x a / b; null when either is missing or b is zero (rule 8). */
export function percent(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return (100 * a) / b;
}
