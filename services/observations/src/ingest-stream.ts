import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
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
export async function* streamIngest(
  file: string,
  format: IngestFormat,
  options: StreamIngestOptions = {},
): AsyncGenerator<IngestRow> {
  for await (const rows of streamIngestChunks(file, format, options)) yield* rows;
}

/** Bytes read at a time (see {@link streamIngestChunks}). */
const CHUNK_BYTES = 1 << 16;

/**
 * The rows of an ingest file as {@link streamIngest} reads them, a 64 KB chunk of the file (some
 * 2,000 rows) at a time: a row handed out through an async generator of its own costs more promise
 * machinery than reading it, and chunks much larger than this keep so many rows alive at once that
 * the garbage collector spends more than was saved.
 */
export async function* streamIngestChunks(
  file: string,
  format: IngestFormat,
  options: StreamIngestOptions = {},
): AsyncGenerator<IngestRow[]> {
  const source = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const decoder = new StringDecoder('utf8');
  const lines = new LineSplitter();
  const reader = format === 'csv' ? new CsvRowReader() : new JsonLinesRowReader();
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      options.onBytes?.(chunk.length);
      const rows = reader.take(lines.push(decoder.write(chunk)));
      if (rows.length) yield rows;
    }
    const rows = reader.take(lines.end(decoder.end()));
    rows.push(...reader.finish());
    if (rows.length) yield rows;
  } finally {
    source.destroy();
  }
}

/**
 * Cuts text arriving in pieces into lines as `readline` does with `crlfDelay: Infinity`: a line ends
 * at CR LF, LF or a lone CR, and a last line without an end is a line when it is not empty.
 */
class LineSplitter {
  private rest = '';

  push(text: string): string[] {
    const all = this.rest + text;
    // The last line end; a CR at the very end may be the first half of a CR LF in the next piece.
    let cut = all.length - 1;
    while (cut >= 0) {
      const c = all.charCodeAt(cut);
      if (c === 10 || (c === 13 && cut < all.length - 1)) break;
      cut -= 1;
    }
    if (cut < 0) {
      this.rest = all;
      return [];
    }
    this.rest = all.slice(cut + 1);
    const lines = all.slice(0, cut + 1).split(LINE_BREAK);
    lines.pop();
    return lines;
  }

  end(text: string): string[] {
    const lines = this.push(text);
    const last = this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest;
    this.rest = '';
    if (last !== '') lines.push(last);
    return lines;
  }
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The rows of a CSV file, line by line: a line without a quote is split on commas (csv-parse with
 * `info` costs ~10 us a row, most of it building the info), and a record with quotes, which may span
 * lines, is handed whole to csv-parse with the same options. Empty lines and `#` comment lines are
 * skipped, as csv-parse does with {@link CSV_PARSE_OPTIONS}.
 */
class CsvRowReader {
  private lineNo = 0;
  private pending: string[] = [];
  private quotes = 0;
  private header: string[] | undefined;

  take(lines: readonly string[]): IngestRow[] {
    const rows: IngestRow[] = [];
    for (const raw of lines) {
      this.lineNo += 1;
      const line = this.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (this.pending.length) {
        this.pending.push(line);
        this.quotes += countQuotes(line);
        if (this.quotes % 2 === 0) this.flushPending(rows);
        continue;
      }
      if (line === '' || line.startsWith('#')) continue;
      this.quotes = countQuotes(line);
      if (this.quotes === 0) {
        this.record({ record: line.split(','), info: { lines: this.lineNo } }, rows);
        continue;
      }
      this.pending = [line];
      if (this.quotes % 2 === 0) this.flushPending(rows);
    }
    return rows;
  }

  /** The rows left at the end of the file; an open quote there is csv-parse's to explain. */
  finish(): IngestRow[] {
    const rows: IngestRow[] = [];
    if (this.pending.length) this.flushPending(rows);
    if (!this.header) throw new IngestFileError([emptyCsvProblem()]);
    return rows;
  }

  private flushPending(rows: IngestRow[]): void {
    for (const record of quotedRecords(this.pending, this.lineNo)) this.record(record, rows);
    this.pending = [];
  }

  private record(record: CsvRecord, rows: IngestRow[]): void {
    if (this.header) {
      rows.push(csvRow(this.header, record));
      return;
    }
    const checked = csvHeader(record);
    if ('problem' in checked) throw new IngestFileError([checked.problem]);
    this.header = checked.header;
  }
}

/** The rows of a JSON-lines file, one object a line. */
class JsonLinesRowReader {
  private line = 0;

  take(lines: readonly string[]): IngestRow[] {
    const rows: IngestRow[] = [];
    for (const content of lines) {
      this.line += 1;
      const row = jsonLineRow(this.line === 1 ? content.replace(/^\uFEFF/, '') : content, this.line);
      if (row) rows.push(row);
    }
    return rows;
  }

  finish(): IngestRow[] {
    return [];
  }
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
