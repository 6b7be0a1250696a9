/**
 * Numbers as reports write them, shared by every path that writes a report (the analytics `report`
 * field, the gateway's printable page and Word document), so that a figure reads the same in all.
 */

/** How a language writes numbers: "93,7" and "1.520.000" in Vietnamese, "93.7" and "1,520,000" in English. */
export interface NumberStyle {
  readonly decimalSeparator: string;
  readonly groupSeparator: string;
}

/** Below this difference a number is taken as having exactly the decimals shown. */
const EXACT = 1e-6;

/**
 * The decimals reports give a number: a whole number has none, one exact to two decimals (56.43%)
 * keeps them, anything else is rounded to one (93.7269% reads 93.7%), as the seed report writes them.
 */
export function reportDecimals(x: number): number {
  if (Math.abs(x - Math.round(x)) < EXACT) return 0;
  if (Math.abs(x * 10 - Math.round(x * 10)) < EXACT * 10) return 1;
  if (Math.abs(x * 100 - Math.round(x * 100)) < EXACT * 100) return 2;
  return 1;
}

/** Writes `x` with the report's decimals and the language's separators (trailing zeros dropped). */
export function formatNumber(x: number, style: NumberStyle): string {
  const decimals = reportDecimals(x);
  const fixed = Math.abs(x).toFixed(decimals);
  const [whole, fraction] = fixed.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, style.groupSeparator);
  const trimmed = fraction?.replace(/0+$/, '');
  const sign = x < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${grouped}${trimmed ? style.decimalSeparator + trimmed : ''}`;
}

/** A percentage as reports write it: `93,7%` (vi) or `93.7%` (en). */
export function formatPercent(x: number, style: NumberStyle): string {
  return `${formatNumber(x, style)}%`;
}

/** Counts below ten are written with two digits in Party documents: "05 targets", "03 resolutions". */
export function formatPadded(x: number, style: NumberStyle): string {
  const text = formatNumber(x, style);
  return Number.isInteger(x) && x >= 0 && x < 10 ? `0${text}` : text;
}

/** A share from 0 to 1 as a percentage, e.g. coverage 0.0175 as "1,8%". */
export function formatShare(share: number, style: NumberStyle): string {
  // Rounded down, so that a share short of all never reads 100%.
  return formatPercent(Math.floor(share * 1000) / 10, style);
}
