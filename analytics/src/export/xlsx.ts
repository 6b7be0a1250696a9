import ExcelJS from 'exceljs';

/** One sheet of a workbook: a title, typed columns and rows in their order. */
export interface SheetData {
  readonly name: string;
  /** Column names and DuckDB types as SQL writes them (`DOUBLE`, `DATE`, `VARCHAR`...). */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/i;

/** A cell value as Excel should hold it: numbers as numbers, dates as dates, nested values as JSON text. */
export function excelValue(value: unknown, type: string): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'string') {
    if (/^DATE$/i.test(type) && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00Z`);
    if (NUMERIC.test(type) && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    return value;
  }
  return JSON.stringify(value);
}

/** Excel's limits on sheet names: 31 characters, none of `[]:*?/\`, unique in the workbook. */
export function sheetName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet';
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i += 1)
    candidate = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  return candidate;
}

/**
 * A workbook with one sheet per answer: a bold, frozen header row, numbers stored as numbers (so
 * Excel sums and charts them), dates as dates, Vietnamese text as it is (xlsx is UTF-8 throughout).
 */
export async function toXlsx(sheets: readonly SheetData[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'lgr analytics';
  const taken = new Set<string>();
  for (const data of sheets) {
    const name = sheetName(data.name, taken);
    taken.add(name.toLowerCase());
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = data.columns.map((c) => ({
      header: c.name,
      key: c.name,
      width: Math.min(40, Math.max(10, c.name.length + 2)),
      ...(/^DATE$/i.test(c.type) ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
    }));
    sheet.getRow(1).font = { bold: true };
    for (const row of data.rows) sheet.addRow(data.columns.map((c, i) => excelValue(row[i], c.type)));
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return Buffer.from(buffer as ArrayBuffer);
}
