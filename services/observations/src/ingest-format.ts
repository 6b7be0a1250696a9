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

function parseCsv(text: string): ParsedIngest {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      info: true,
      bom: true,
      comment: '#',
      comment_no_infix: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as never;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    return {
      format: 'csv',
      rows: [],
      fileProblems: [{ line: e.lines ?? 1, field: 'row', message: `the file is not valid CSV: ${e.message}` }],
    };
  }
  if (!parsed.length)
    return {
      format: 'csv',
      rows: [],
      fileProblems: [
        { line: 1, field: 'header', message: `the file is empty; expected a header row ${INGEST_COLUMNS.join(',')}` },
      ],
    };
  const startLine = (p: { record: string[]; info: { lines: number } }): number =>
    p.info.lines - p.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
  const [head, ...body] = parsed;
  const header = head!.record.map((h) => h.trim().toLowerCase());
  const headerLine = startLine(head!);
  const fileProblems: LineProblem[] = [];
  const missing = INGEST_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter(
    (h) => !(INGEST_COLUMNS as readonly string[]).includes(h) && h !== REJECT_REASON_COLUMN,
  );
  if (missing.length || unknown.length) {
    fileProblems.push({
      line: headerLine,
      field: 'header',
      message: `expected the columns ${INGEST_COLUMNS.join(',')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; unknown ${unknown.join(', ')}` : ''}`,
    });
    return { format: 'csv', rows: [], fileProblems };
  }
  const rows = body.map((p) => {
    const line = startLine(p);
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
  });
  return { format: 'csv', rows, fileProblems };
}

function parseJsonLines(text: string): ParsedIngest {
  const rows: IngestRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((content, i) => {
      const line = i + 1;
      if (!content.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch (error) {
        rows.push({
          line,
          fields: { raw: content },
          problems: [{ line, field: 'row', message: `not a JSON object: ${(error as Error).message}` }],
        });
        return;
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        rows.push({
          line,
          fields: { raw: content },
          problems: [
            { line, field: 'row', message: 'expected a JSON object with indicator, unit, period, value, target' },
          ],
        });
        return;
      }
      const fields = value as Record<string, unknown>;
      const unknown = Object.keys(fields).filter(
        (k) => !(INGEST_COLUMNS as readonly string[]).includes(k) && k !== REJECT_REASON_COLUMN,
      );
      if (unknown.length) {
        rows.push({
          line,
          fields,
          problems: [
            {
              line,
              field: 'row',
              message: `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ${INGEST_COLUMNS.join(', ')}`,
            },
          ],
        });
        return;
      }
      rows.push(toRow(line, fields));
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

/** Writes rejected rows back in their own format, each with its reasons in an `error` field. */
export function formatRejects(
  format: IngestFormat,
  rejects: readonly { fields: Readonly<Record<string, unknown>>; reasons: readonly string[] }[],
): string {
  if (format === 'jsonl') {
    return (
      rejects
        .map((r) =>
          JSON.stringify({
            ...('raw' in r.fields ? { raw: r.fields.raw } : r.fields),
            [REJECT_REASON_COLUMN]: r.reasons.join('; '),
          }),
        )
        .join('\n') + (rejects.length ? '\n' : '')
    );
  }
  const header = [...INGEST_COLUMNS, REJECT_REASON_COLUMN];
  const lines = rejects.map((r) =>
    [...INGEST_COLUMNS.map((c) => csvCell(r.fields[c])), csvCell(r.reasons.join('; '))].join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
