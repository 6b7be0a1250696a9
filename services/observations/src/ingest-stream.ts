import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse as parseSync } from 'csv-parse/sync';
import {
  CSV_PARSE_OPTIONS,
  CsvRecord,
  csvHeader,
  csvRow,
  detectFormat,
  emptyCsvProblem,
  IngestFormat,
  IngestRow,
  invalidCsvProblem,
  jsonLineRow,
  LineProblem,
} from './ingest-format';

/** Thrown while streaming a file that cannot be read as ingest data (a bad header, a broken quote). */
export class IngestFileError extends Error {
  constructor(readonly problems: readonly LineProblem[]) {
    super(problems.map((p) => `line ${p.line}: ${p.message}`).join('; '));
    this.name = 'IngestFileError';
  }
}

/** Picks a file's format from its name, else from its first bytes (the whole file is not read). */
export async function detectFileFormat(file: string): Promise<IngestFormat> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return detectFormat(file, head.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

export interface StreamIngestOptions {
  /** Called with the size of every chunk read from the disk (for progress by bytes). */
  readonly onBytes?: (bytes: number) => void;
}

/**
 * The rows of an ingest file, read a chunk at a time, so a file of any size is parsed in bounded
 * memory; each row is checked exactly as `parseIngest` checks it. A problem of the file as a
 * whole is thrown as {@link IngestFileError} when it is met, which for a broken quote can be after
 * many rows: callers that must write nothing from such a file read it to the end before writing.
 */
export function streamIngest(
  file: string,
  format: IngestFormat,
  options: StreamIngestOptions = {},
): AsyncGenerator<IngestRow> {
  return format === 'csv' ? streamCsv(file, options) : streamJsonLines(file, options);
}

function readStream(file: string, options: StreamIngestOptions) {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (options.onBytes) source.on('data', (chunk) => options.onBytes!(chunk.length));
  return source;
}

/**
 * The records of a CSV file with the line each ends on, as csv-parse's `info` gives them, read line
 * by line: a line without a quote is split on commas (csv-parse with `info` costs ~10 us a row,
 * most of it building the info), and a record with quotes, which may span lines, is handed whole
 * to csv-parse with the same options. Empty lines and `#` comment lines are skipped, as csv-parse
 * does with {@link CSV_PARSE_OPTIONS}.
 */
async function* csvRecords(lines: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let lineNo = 0;
  let pending: string[] = [];
  let quotes = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (pending.length) {
      pending.push(line);
      quotes += countQuotes(line);
      if (quotes % 2 === 0) {
        yield* quotedRecords(pending, lineNo);
        pending = [];
      }
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    quotes = countQuotes(line);
    if (quotes === 0) {
      yield { record: line.split(','), info: { lines: lineNo } };
      continue;
    }
    pending = [line];
    if (quotes % 2 === 0) {
      yield* quotedRecords(pending, lineNo);
      pending = [];
    }
  }
  // An open quote at the end of the file: csv-parse says why, on the line it began.
  if (pending.length) yield* quotedRecords(pending, lineNo);
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) n += 1;
  return n;
}

/** The record(s) of lines that hold quotes, parsed by csv-parse; `endLine` is the file line of the last. */
function quotedRecords(lines: readonly string[], endLine: number): CsvRecord[] {
  const firstLine = endLine - lines.length + 1;
  try {
    return (parseSync(lines.join('\n'), CSV_PARSE_OPTIONS) as never as CsvRecord[]).map((r) => ({
      record: r.record,
      info: { lines: firstLine - 1 + r.info.lines },
    }));
  } catch (error) {
    const e = error as { lines?: number };
    throw new IngestFileError([
      invalidCsvProblem({
        ...(error as object),
        message: (error as Error).message,
        lines: firstLine - 1 + (e.lines ?? 1),
      }),
    ]);
  }
}

async function* streamCsv(file: string, options: StreamIngestOptions): AsyncGenerator<IngestRow> {
  const source = readStream(file, options);
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let header: string[] | undefined;
  try {
    for await (const record of csvRecords(lines)) {
      if (header) {
        yield csvRow(header, record);
        continue;
      }
      const checked = csvHeader(record);
      if ('problem' in checked) throw new IngestFileError([checked.problem]);
      header = checked.header;
    }
  } finally {
    lines.close();
    source.destroy();
  }
  if (!header) throw new IngestFileError([emptyCsvProblem()]);
}

async function* streamJsonLines(file: string, options: StreamIngestOptions): AsyncGenerator<IngestRow> {
  const source = readStream(file, options);
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const content of lines) {
      line += 1;
      const row = jsonLineRow(line === 1 ? content.replace(/^\uFEFF/, '') : content, line);
      if (row) yield row;
    }
  } finally {
    lines.close();
    source.destroy();
  }
}
