import { daysInMonth, isoDate, IsoDate, parseIsoDate } from './dates';

/** How long a period is. TERM is a congress term: a named range of half-years. */
export type Grain = 'MONTH' | 'QUARTER' | 'SIX_MONTH' | 'YEAR' | 'TERM';

export const GRAINS: readonly Grain[] = ['MONTH', 'QUARTER', 'SIX_MONTH', 'YEAR', 'TERM'];

/** Months are counted from year 0 (`year * 12 + month - 1`) so that ranges are plain integer spans. */
export type MonthIndex = number;

/** A span of whole months, both ends inclusive. */
export interface MonthSpan {
  readonly startMonth: MonthIndex;
  readonly endMonth: MonthIndex;
}

/** A reporting period: a DHIS2 code (`2025`, `2025S1`, `2025Q3`, `202507`) or a term code (`2020-2025`). */
export interface Period extends MonthSpan {
  readonly code: string;
  readonly grain: Grain;
  /** First day of the period. */
  readonly start: IsoDate;
  /** Last day of the period. */
  readonly end: IsoDate;
}

/** A congress term: `2020-2025` runs from 2020S2 to 2025S1. */
export interface Term {
  readonly code: string;
  readonly name: string;
  readonly startMonth: MonthIndex;
  readonly endMonth: MonthIndex;
}

/** Thrown for a period code that is not well formed or names no known term. */
export class PeriodFormatError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`Invalid period "${input}": ${reason}`);
    this.name = 'PeriodFormatError';
  }
}

export function monthIndex(year: number, month: number): MonthIndex {
  return year * 12 + (month - 1);
}

export function monthOf(date: IsoDate): MonthIndex {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`Expected a date as YYYY-MM-DD, got "${date}"`);
  return monthIndex(d.year, d.month);
}

export function yearOfMonth(m: MonthIndex): number {
  return Math.floor(m / 12);
}

export function monthStartDate(m: MonthIndex): IsoDate {
  return isoDate(yearOfMonth(m), (m % 12) + 1, 1);
}

export function monthEndDate(m: MonthIndex): IsoDate {
  const year = yearOfMonth(m);
  const month = (m % 12) + 1;
  return isoDate(year, month, daysInMonth(year, month));
}

/**
 * Congress terms aligned to half-years, five years long, `YYYY-(YYYY+5)` from the second half of the
 * first year to the first half of the last. The list is long enough for any plausible report; a
 * deployment with other terms passes its own list wherever a `terms` argument is accepted.
 */
export function standardTerms(firstYear = 1990, lastYear = 2050, length = 5): Term[] {
  const terms: Term[] = [];
  for (let y = firstYear; y + length <= lastYear; y += length) {
    terms.push({
      code: `${y}-${y + length}`,
      name: `Nhiệm kỳ ${y}-${y + length}`,
      startMonth: monthIndex(y, 7),
      endMonth: monthIndex(y + length, 6),
    });
  }
  return terms;
}

export const DEFAULT_TERMS: readonly Term[] = standardTerms();

const YEAR = /^(\d{4})$/;
const HALF = /^(\d{4})S([12])$/;
const QUARTER = /^(\d{4})Q([1-4])$/;
const MONTH = /^(\d{4})(\d{2})$/;
const TERM = /^(\d{4})-(\d{4})$/;

function make(code: string, grain: Grain, startMonth: MonthIndex, endMonth: MonthIndex): Period {
  return { code, grain, startMonth, endMonth, start: monthStartDate(startMonth), end: monthEndDate(endMonth) };
}

export function yearPeriod(year: number): Period {
  return make(String(year), 'YEAR', monthIndex(year, 1), monthIndex(year, 12));
}

export function halfPeriod(year: number, half: 1 | 2): Period {
  const start = monthIndex(year, half === 1 ? 1 : 7);
  return make(`${year}S${half}`, 'SIX_MONTH', start, start + 5);
}

export function quarterPeriod(year: number, quarter: number): Period {
  const start = monthIndex(year, (quarter - 1) * 3 + 1);
  return make(`${year}Q${quarter}`, 'QUARTER', start, start + 2);
}

export function monthPeriod(m: MonthIndex): Period {
  const year = yearOfMonth(m);
  return make(`${year}${String((m % 12) + 1).padStart(2, '0')}`, 'MONTH', m, m);
}

export function termPeriod(term: Term): Period {
  return make(term.code, 'TERM', term.startMonth, term.endMonth);
}

/** Parses a period code; throws {@link PeriodFormatError} naming what is wrong. */
export function parsePeriod(code: string, terms: readonly Term[] = DEFAULT_TERMS): Period {
  const text = code.trim();
  let m: RegExpExecArray | null;
  if ((m = YEAR.exec(text))) return yearPeriod(Number(m[1]));
  if ((m = HALF.exec(text))) return halfPeriod(Number(m[1]), Number(m[2]) as 1 | 2);
  if ((m = QUARTER.exec(text))) return quarterPeriod(Number(m[1]), Number(m[2]));
  if ((m = MONTH.exec(text))) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw new PeriodFormatError(code, `month ${m[2]} is not between 01 and 12`);
    return monthPeriod(monthIndex(Number(m[1]), month));
  }
  if (TERM.test(text)) {
    const term = terms.find((t) => t.code === text);
    if (!term) throw new PeriodFormatError(code, 'no congress term has this code');
    return termPeriod(term);
  }
  throw new PeriodFormatError(code, 'expected YYYY, YYYYS1-2, YYYYQ1-4, YYYYMM or a term code such as 2020-2025');
}

/** Like {@link parsePeriod} but returns undefined instead of throwing. */
export function tryParsePeriod(code: string, terms: readonly Term[] = DEFAULT_TERMS): Period | undefined {
  try {
    return parsePeriod(code, terms);
  } catch {
    return undefined;
  }
}

/** The calendar period of `grain` that contains month `m` (TERM: the term containing it, if any). */
export function periodContaining(
  m: MonthIndex,
  grain: Grain,
  terms: readonly Term[] = DEFAULT_TERMS,
): Period | undefined {
  const year = yearOfMonth(m);
  const month = (m % 12) + 1;
  switch (grain) {
    case 'MONTH':
      return monthPeriod(m);
    case 'QUARTER':
      return quarterPeriod(year, Math.floor((month - 1) / 3) + 1);
    case 'SIX_MONTH':
      return halfPeriod(year, month <= 6 ? 1 : 2);
    case 'YEAR':
      return yearPeriod(year);
    case 'TERM': {
      const term = terms.find((t) => t.startMonth <= m && m <= t.endMonth);
      return term ? termPeriod(term) : undefined;
    }
  }
}

export function spanContains(outer: MonthSpan, inner: MonthSpan): boolean {
  return outer.startMonth <= inner.startMonth && inner.endMonth <= outer.endMonth;
}

/** The largest calendar period (YEAR, SIX_MONTH, QUARTER or MONTH) that starts at `start` and ends by `end`. */
function largestAlignedAt(start: MonthIndex, end: MonthIndex): Period {
  const monthInYear = start % 12;
  const year = yearOfMonth(start);
  if (monthInYear === 0 && start + 11 <= end) return yearPeriod(year);
  if (monthInYear % 6 === 0 && start + 5 <= end) return halfPeriod(year, monthInYear === 0 ? 1 : 2);
  if (monthInYear % 3 === 0 && start + 2 <= end) return quarterPeriod(year, monthInYear / 3 + 1);
  return monthPeriod(start);
}

/**
 * Splits a month span into the fewest calendar periods, largest first from the start:
 * 2020-07..2025-06 gives 2020S2, 2021, 2022, 2023, 2024, 2025S1.
 */
export function decomposeSpan(span: MonthSpan): Period[] {
  const parts: Period[] = [];
  for (let m = span.startMonth; m <= span.endMonth;) {
    const p = largestAlignedAt(m, span.endMonth);
    parts.push(p);
    m = p.endMonth + 1;
  }
  return parts;
}

/**
 * The periods one level finer: a year's halves, a half's quarters, a quarter's months; a term's
 * calendar decomposition (its years, and half-years at the ends). A month has none.
 */
export function subPeriods(p: Period): Period[] {
  const year = yearOfMonth(p.startMonth);
  switch (p.grain) {
    case 'YEAR':
      return [halfPeriod(year, 1), halfPeriod(year, 2)];
    case 'SIX_MONTH': {
      const q = Math.floor((p.startMonth % 12) / 3) + 1;
      return [quarterPeriod(year, q), quarterPeriod(year, q + 1)];
    }
    case 'QUARTER':
      return [0, 1, 2].map((i) => monthPeriod(p.startMonth + i));
    case 'MONTH':
      return [];
    case 'TERM':
      return decomposeSpan(p);
  }
}

/** Every calendar period (not terms) inside `p`, `p` itself included when it is one. */
export function calendarPeriodsWithin(p: Period): Period[] {
  const out: Period[] = [];
  const walk = (q: Period): void => {
    out.push(q);
    for (const s of subPeriods(q)) walk(s);
  };
  if (p.grain === 'TERM') decomposeSpan(p).forEach(walk);
  else walk(p);
  return out;
}

/**
 * The same period `years` earlier (DESIGN 3 rule 6). A term shifted is no longer a term, so it comes
 * back as a plain month span.
 */
export function shiftYears(p: Period, years: number): Period | MonthSpan {
  const delta = years * 12;
  if (p.grain === 'TERM') return { startMonth: p.startMonth + delta, endMonth: p.endMonth + delta };
  return periodContainingExact(p.grain, p.startMonth + delta);
}

function periodContainingExact(grain: Exclude<Grain, 'TERM'>, startMonth: MonthIndex): Period {
  return periodContaining(startMonth, grain)!;
}

/** Whether a span is exactly one calendar period or term; returns it when it is. */
export function asPeriod(span: MonthSpan | Period): Period | undefined {
  return 'code' in span ? span : undefined;
}

/** All periods of `grain` that lie wholly within [from.start, to.end], in order. */
export function periodsInRange(
  from: Period,
  to: Period,
  grain: Grain,
  terms: readonly Term[] = DEFAULT_TERMS,
): Period[] {
  if (grain === 'TERM') {
    return terms.filter((t) => t.startMonth >= from.startMonth && t.endMonth <= to.endMonth).map(termPeriod);
  }
  const out: Period[] = [];
  for (let m = from.startMonth; m <= to.endMonth;) {
    const p = periodContaining(m, grain)!;
    if (p.startMonth >= from.startMonth && p.endMonth <= to.endMonth) out.push(p);
    m = p.endMonth + 1;
  }
  return out;
}

/** The period of `grain` that contains all of `p`, if one does (a year is in no single term). */
export function enclosingPeriod(
  p: MonthSpan,
  grain: Grain,
  terms: readonly Term[] = DEFAULT_TERMS,
): Period | undefined {
  const candidate = periodContaining(p.startMonth, grain, terms);
  return candidate && spanContains(candidate, p) ? candidate : undefined;
}

/**
 * The calendar period or term that is exactly `span`, if there is one: [2020S2 .. 2025S1] is the term
 * 2020-2025, [2024-01 .. 2024-12] the year 2024. A span that is a period is valued as that period.
 */
export function exactPeriod(span: MonthSpan, terms: readonly Term[] = DEFAULT_TERMS): Period | undefined {
  if ('code' in span) return span as Period;
  for (const grain of GRAINS) {
    const p = periodContaining(span.startMonth, grain, terms);
    if (p && p.startMonth === span.startMonth && p.endMonth === span.endMonth) return p;
  }
  return undefined;
}
