import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
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

async function* streamCsv(file: string, options: StreamIngestOptions): AsyncGenerator<IngestRow> {
  const source = readStream(file, options);
  const parser = parse(CSV_PARSE_OPTIONS);
  // pipe() does not pass a read error on; the parser is then ended with it, so the loop throws.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let header: string[] | undefined;
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) {
      if (header) {
        yield csvRow(header, record);
        continue;
      }
      const checked = csvHeader(record);
      if ('problem' in checked) throw new IngestFileError([checked.problem]);
      header = checked.header;
    }
  } catch (error) {
    if (error instanceof IngestFileError || (error as NodeJS.ErrnoException).syscall) throw error;
    throw new IngestFileError([invalidCsvProblem(error)]);
  } finally {
    source.destroy();
    parser.destroy();
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
