/** Periods as the platform writes them: 2025, 2025S1, 2025Q3, 202507, or a term such as 2020-2025. */
const PATTERNS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^(\d{4})$/, (m) => `${m[1]}-12-31`],
  [/^(\d{4})S([12])$/, (m) => (m[2] === '1' ? `${m[1]}-06-30` : `${m[1]}-12-31`)],
  [/^(\d{4})Q([1-4])$/, (m) => `${m[1]}-${['03-31', '06-30', '09-30', '12-31'][Number(m[2]) - 1]}`],
  [
    /^(\d{4})(0[1-9]|1[0-2])$/,
    (m) => `${m[1]}-${m[2]}-${String(new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate()).padStart(2, '0')}`,
  ],
  [/^(\d{4})-(\d{4})$/, (m) => `${m[2]}-06-30`],
];

/** The last day of a period (a term ends on 30 June of its last year); undefined for a code that is not one. */
export function periodEnd(code: string): string | undefined {
  for (const [pattern, end] of PATTERNS) {
    const m = code.trim().match(pattern);
    if (m) return end(m);
  }
  return undefined;
}

/** The grain of a period code, as `aggregate` names grains. */
export function grainOf(code: string): 'YEAR' | 'SIX_MONTH' | 'QUARTER' | 'MONTH' | 'TERM' | undefined {
  if (/^\d{4}$/.test(code)) return 'YEAR';
  if (/^\d{4}S[12]$/.test(code)) return 'SIX_MONTH';
  if (/^\d{4}Q[1-4]$/.test(code)) return 'QUARTER';
  if (/^\d{6}$/.test(code)) return 'MONTH';
  if (/^\d{4}-\d{4}$/.test(code)) return 'TERM';
  return undefined;
}

/** The six-month periods from `from` to `to`, both included: the chart's default range. */
export function halfYears(from: string, to: string): string[] {
  const index = (c: string) => Number(c.slice(0, 4)) * 2 + (c.endsWith('S2') ? 1 : 0);
  const out: string[] = [];
  for (let i = index(from); i <= index(to); i++) out.push(`${Math.floor(i / 2)}S${(i % 2) + 1}`);
  return out;
}
