/**
 * Calendar dates as ISO strings (`YYYY-MM-DD`). Reporting works in whole days, so dates never carry a
 * time or a time zone; string comparison orders them correctly.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD`, rejecting impossible days such as 2025-02-29; returns undefined when invalid. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export function isValidIsoDate(text: string): boolean {
  return parseIsoDate(text) !== undefined;
}

/** The day after `date`, crossing month and year ends. */
export function nextDay(date: IsoDate): IsoDate {
  const d = mustParse(date);
  if (d.day < daysInMonth(d.year, d.month)) return isoDate(d.year, d.month, d.day + 1);
  if (d.month < 12) return isoDate(d.year, d.month + 1, 1);
  return isoDate(d.year + 1, 1, 1);
}

/** The day before `date`, crossing month and year starts. */
export function previousDay(date: IsoDate): IsoDate {
  const d = mustParse(date);
  if (d.day > 1) return isoDate(d.year, d.month, d.day - 1);
  if (d.month > 1) return isoDate(d.year, d.month - 1, daysInMonth(d.year, d.month - 1));
  return isoDate(d.year - 1, 12, 31);
}

/** Today's date in UTC, the platform's default `asOf`. */
export function today(): IsoDate {
  return new Date().toISOString().slice(0, 10);
}

function mustParse(date: IsoDate): { year: number; month: number; day: number } {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`Expected a date as YYYY-MM-DD, got "${date}"`);
  return d;
}
