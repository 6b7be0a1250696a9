import { parse } from 'csv-parse/sync';
import { csvCell, findIndicator, INGEST_COLUMNS, ObservationRecord, REJECT_REASON_COLUMN } from '@lgr/schema';
import { RowField } from './validation';

/** The two ingest formats: CSV with a header row, or one JSON object per line. */
export type IngestFormat = 'csv' | 'jsonl';

/** A problem found in the file itself, before any service is asked. */
export interface LineProblem {
  /** 1-based line in the file (the CSV header is line 1). */
  readonly line: number;
  readonly field: RowField | 'header';
  readonly message: string;
}

/** One data row of an ingest file. */
export interface IngestRow {
  readonly line: number;
  /** The row's fields as written, for the rejects file. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The row as a record, when its columns and numbers are well formed. */
  readonly record?: ObservationRecord;
  readonly problems: readonly LineProblem[];
}

export interface ParsedIngest {
  readonly format: IngestFormat;
  readonly rows: IngestRow[];
  /** Problems of the file as a whole (a bad header, a broken quote); no row is usable when present. */
  readonly fileProblems: LineProblem[];
}

/** Picks the format from the extension (.csv, .jsonl, .ndjson, .json), else from the first character. */
export function detectFormat(fileName: string, text: string): IngestFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'jsonl'
    : 'csv';
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A value or target cell: empty means "not given"; anything else must be a plain decimal number. */
function parseNumberCell(
  input: unknown,
  field: 'value' | 'target',
  line: number,
  problems: LineProblem[],
): number | null {
  if (input === undefined || input === null) return null;
  if (typeof input === 'number') {
    if (Number.isFinite(input)) return input;
    problems.push({ line, field, message: `expected a number, got ${String(input)}` });
    return null;
  }
  if (typeof input !== 'string') {
    problems.push({ line, field, message: `expected a number, got ${JSON.stringify(input)}` });
    return null;
  }
  const text = input.trim();
  if (!text) return null;
  if (!NUMBER.test(text)) {
    problems.push({
      line,
      field,
      message: `expected a number such as 254 or 93.7 (a dot for decimals, no thousands separators), got "${input}"`,
    });
    return null;
  }
  const n = Number(text);
  if (!Number.isFinite(n)) {
    problems.push({ line, field, message: `expected a finite number, got "${input}"` });
    return null;
  }
  return n;
}

function textCell(
  input: unknown,
  field: 'indicator' | 'unit' | 'period',
  line: number,
  problems: LineProblem[],
): string {
  if (typeof input === 'number') return String(input);
  if (typeof input !== 'string' || !input.trim()) {
    problems.push({
      line,
      field,
      message: `expected ${field === 'indicator' ? 'an indicator code' : field === 'unit' ? 'a unit code' : 'a period code'}, got an empty value`,
    });
    return '';
  }
  return input.trim();
}

/**
 * Builds a record from one row's fields and checks what can be checked without the services: the
 * columns are present, the numbers are numbers, the indicator is in the catalogue.
 */
function toRow(line: number, fields: Record<string, unknown>): IngestRow {
  const problems: LineProblem[] = [];
  const indicator = textCell(fields.indicator, 'indicator', line, problems);
  if (indicator && !findIndicator(indicator)) {
    problems.push({
      line,
      field: 'indicator',
      message: `unknown indicator "${indicator}"; see the indicator catalogue`,
    });
  }
  const unit = textCell(fields.unit, 'unit', line, problems);
  const period = textCell(fields.period, 'period', line, problems);
  const value = parseNumberCell(fields.value, 'value', line, problems);
  const target = parseNumberCell(fields.target, 'target', line, problems);
  if (!problems.length && value === null && target === null) {
    problems.push({ line, field: 'value', message: 'expected a value, a target or both; both are empty' });
  }
  return problems.length
    ? { line, fields, problems }
    : { line, fields, problems, record: { indicator, unit, period, value, target } };
}

/** The options of csv-parse for ingest files, shared by the whole-text and the streaming parser. */
export const CSV_PARSE_OPTIONS = {
  info: true,
  bom: true,
  comment: '#',
  comment_no_infix: true,
  relax_column_count: true,
  skip_empty_lines: true,
} as const;

/** One record as csv-parse gives it with `info: true`. */
export interface CsvRecord {
  readonly record: string[];
  readonly info: { lines: number };
}

/** The 1-based line a CSV record starts on (csv-parse counts the line it ends on). */
export function csvRecordLine(p: CsvRecord): number {
  let breaks = 0;
  // Most fields hold no line break: indexOf finds that without building a match array per field.
  for (const f of p.record) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) breaks += 1;
  return p.info.lines - breaks;
}

/** The header's column names, or the problem that makes the file unusable. */
export function csvHeader(head: CsvRecord): { header: string[] } | { problem: LineProblem } {
  const header = head.record.map((h) => h.trim().toLowerCase());
  const missing = INGEST_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter(
    (h) => !(INGEST_COLUMNS as readonly string[]).includes(h) && h !== REJECT_REASON_COLUMN,
  );
  if (!missing.length && !unknown.length) return { header };
  return {
    problem: {
      line: csvRecordLine(head),
      field: 'header',
      message: `expected the columns ${INGEST_COLUMNS.join(',')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; unknown ${unknown.join(', ')}` : ''}`,
    },
  };
}

/** The problem of a file without any row. */
export function emptyCsvProblem(): LineProblem {
  return { line: 1, field: 'header', message: `the file is empty; expected a header row ${INGEST_COLUMNS.join(',')}` };
}

/** The problem of a file csv-parse cannot read (a broken quote...). */
export function invalidCsvProblem(error: unknown): LineProblem {
  const e = error as { lines?: number; message: string };
  return { line: e.lines ?? 1, field: 'row', message: `the file is not valid CSV: ${e.message}` };
}

/** One data record of a CSV file under its header, checked as far as the file allows. */
export function csvRow(header: readonly string[], p: CsvRecord): IngestRow {
  const line = csvRecordLine(p);
  const fields: Record<string, unknown> = {};
  header.forEach((h, i) => (fields[h] = p.record[i] ?? ''));
  if (p.record.length !== header.length) {
    return {
      line,
      fields,
      problems: [
        {
          line,
          field: 'row' as const,
          message: `expected ${header.length} columns as in the header, got ${p.record.length}`,
        },
      ],
    };
  }
  return toRow(line, fields);
}

function parseCsv(text: string): ParsedIngest {
  let parsed: CsvRecord[];
  try {
    parsed = parse(text, CSV_PARSE_OPTIONS) as never;
  } catch (error) {
    return { format: 'csv', rows: [], fileProblems: [invalidCsvProblem(error)] };
  }
  if (!parsed.length) return { format: 'csv', rows: [], fileProblems: [emptyCsvProblem()] };
  const [head, ...body] = parsed;
  const checked = csvHeader(head!);
  if ('problem' in checked) return { format: 'csv', rows: [], fileProblems: [checked.problem] };
  return { format: 'csv', rows: body.map((p) => csvRow(checked.header, p)), fileProblems: [] };
}

/** One line of a JSON-lines file (1-based `line`); undefined for a blank line. */
export function jsonLineRow(content: string, line: number): IngestRow | undefined {
  if (!content.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    return {
      line,
      fields: { raw: content },
      problems: [{ line, field: 'row', message: `not a JSON object: ${(error as Error).message}` }],
    };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      line,
      fields: { raw: content },
      problems: [{ line, field: 'row', message: 'expected a JSON object with indicator, unit, period, value, target' }],
    };
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter(
    (k) => !(INGEST_COLUMNS as readonly string[]).includes(k) && k !== REJECT_REASON_COLUMN,
  );
  if (unknown.length) {
    return {
      line,
      fields,
      problems: [
        {
          line,
          field: 'row',
          message: `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ${INGEST_COLUMNS.join(', ')}`,
        },
      ],
    };
  }
  return toRow(line, fields);
}

function parseJsonLines(text: string): ParsedIngest {
  const rows: IngestRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((content, i) => {
      const row = jsonLineRow(content, i + 1);
      if (row) rows.push(row);
    });
  return { format: 'jsonl', rows, fileProblems: [] };
}

/**
 * Parses an ingest file: CSV (UTF-8, header row `indicator,unit,period,value,target`, `#` comment
 * lines allowed) or JSON lines with the same fields. Every row keeps its line number, so each problem
 * can be reported as `<file>:<line>: <field>: <reason>`.
 */
export function parseIngest(text: string, format: IngestFormat): ParsedIngest {
  return format === 'csv' ? parseCsv(text) : parseJsonLines(text);
}

/** A rejected row with its reasons. */
export interface RejectedRow {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly reasons: readonly string[];
}

/** The first line of a rejects file (CSV only; JSON lines have none). */
export function rejectsHeader(format: IngestFormat): string | undefined {
  return format === 'csv' ? [...INGEST_COLUMNS, REJECT_REASON_COLUMN].join(',') : undefined;
}

/** One rejected row as a line of a rejects file, its reasons in an `error` field. */
export function formatReject(format: IngestFormat, r: RejectedRow): string {
  if (format === 'jsonl')
    return JSON.stringify({
      ...('raw' in r.fields ? { raw: r.fields.raw } : r.fields),
      [REJECT_REASON_COLUMN]: r.reasons.join('; '),
    });
  return [...INGEST_COLUMNS.map((c) => csvCell(r.fields[c])), csvCell(r.reasons.join('; '))].join(',');
}

/** Writes rejected rows back in their own format, each with its reasons in an `error` field. */
export function formatRejects(format: IngestFormat, rejects: readonly RejectedRow[]): string {
  const header = rejectsHeader(format);
  const lines = [...(header === undefined ? [] : [header]), ...rejects.map((r) => formatReject(format, r))];
  return lines.length ? `${lines.join('\n')}\n` : '';
}
