export type Lang = 'vi' | 'en';

const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };

/** A figure as people read it: Vietnamese "1.520.000" and "93,7", English "1,520,000" and "93.7"; missing is a dash, never 0. */
export function formatValue(value: number | null | undefined, lang: Lang, decimals = 2): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: decimals }).format(value);
}

/** A percentage with one decimal: "93,7%" in Vietnamese, "93.7%" in English. */
export function formatPct(value: number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  return `${new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 1 }).format(value)}%`;
}

/** A coverage share (0 to 1) as a percentage, rounded down so that short of all never reads 100%. */
export function formatCoverage(share: number | null | undefined, lang: Lang): string {
  if (share === null || share === undefined) return '—';
  return formatPct(Math.floor(share * 1000) / 10, lang);
}
