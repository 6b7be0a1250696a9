import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { detectFormat, formatRejects, IngestRow, LineProblem, parseIngest } from '@lgr/observations';
import { Domain, DOMAINS, findIndicator } from '@lgr/schema';
import { GraphQLResponse, Transport, TransportError } from './transport';

/** Rows per `recordObservations` call. */
export const DEFAULT_BATCH_SIZE = 500;

/** Files with at least this many rows get a progress bar (when the output is a terminal). */
export const PROGRESS_THRESHOLD = 1000;

export interface IngestOptions {
  /** The file as named on the command line; messages use this name. */
  readonly file: string;
  readonly transport: Transport;
  /** Write the good rows and put the bad ones in a rejects file, instead of writing nothing. */
  readonly skipInvalid?: boolean;
  /** Where rejected rows go; `<file>.rejects.<ext>` by default. */
  readonly rejectsFile?: string;
  readonly batchSize?: number;
  /** Show a progress bar (the CLI passes whether stdout is a terminal). */
  readonly progress?: boolean;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface IngestSummary {
  readonly read: number;
  readonly written: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly rejectsFile?: string;
}

export interface IngestOutcome {
  readonly summary: IngestSummary;
  /** 0 when every row was accepted (or, with --skip-invalid, every good row was written). */
  readonly exitCode: number;
}

interface Payload {
  ok: boolean;
  inserted: number;
  updated: number;
  unchanged: number;
  errors: { index: number; field: string; message: string; code: string }[];
}

/** Thrown when the platform refuses the whole operation (no token, wrong role, a service down). */
export class IngestAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestAbortedError';
  }
}

function mutationFor(domain: Domain): string {
  const ns = domain.toLowerCase();
  return `mutation Ingest($input: [ObservationInput!]!, $dryRun: Boolean) { ${ns} { recordObservations(input: $input, dryRun: $dryRun) { ok inserted updated unchanged errors { index field message code } } } }`;
}

function payloadOf(domain: Domain, answer: GraphQLResponse): Payload {
  const payload = answer.data?.[domain.toLowerCase()]?.recordObservations as Payload | undefined;
  if (!payload) {
    const first = answer.errors?.[0];
    const code = first?.extensions?.code ? ` (${String(first.extensions.code)})` : '';
    throw new IngestAbortedError(`The ${domain.toLowerCase()} subgraph refused the batch${code}: ${first?.message ?? 'no answer'}`);
  }
  return payload;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `data.csv` -> `data.rejects.csv`, next to the input. */
export function defaultRejectsFile(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.rejects${ext || '.csv'}`);
}

/**
 * Ingests a CSV or JSON-lines file: checks every row locally (columns, numbers, known indicator),
 * then has each owning subgraph validate its rows with a dry run, and only then writes, in batches,
 * through the transport. Every problem is printed as `<file>:<line>: <field>: <reason>`. Unless
 * `skipInvalid` is set, one bad row means nothing is written.
 */
export async function runIngest(options: IngestOptions): Promise<IngestOutcome> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const text = await readFile(options.file, 'utf8');
  const parsed = parseIngest(text, detectFormat(options.file, text));
  const say = (p: LineProblem): void => options.err(`${options.file}:${p.line}: ${p.field}: ${p.message}`);

  if (parsed.fileProblems.length) {
    parsed.fileProblems.forEach(say);
    const summary = { read: 0, written: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
    options.out(summaryLine(options.file, summary, 'nothing written: the file cannot be read as ingest data'));
    return { summary, exitCode: 1 };
  }

  const problems = new Map<IngestRow, LineProblem[]>();
  const addProblem = (row: IngestRow, p: LineProblem): void => {
    const list = problems.get(row) ?? [];
    list.push(p);
    problems.set(row, list);
  };
  const firstLineOfKey = new Map<string, number>();
  for (const row of parsed.rows) {
    row.problems.forEach((p) => addProblem(row, p));
    if (!row.record) continue;
    const key = `${row.record.indicator}|${row.record.unit}|${row.record.period}`;
    const first = firstLineOfKey.get(key);
    if (first !== undefined) addProblem(row, { line: row.line, field: 'row', message: `duplicate of line ${first}: same indicator, unit and period` });
    else firstLineOfKey.set(key, row.line);
  }

  const byDomain = new Map<Domain, IngestRow[]>(DOMAINS.map((d) => [d, []]));
  for (const row of parsed.rows) {
    if (row.record && !problems.has(row)) byDomain.get(findIndicator(row.record.indicator)!.domain)!.push(row);
  }
  const candidates = [...byDomain.values()].reduce((n, rows) => n + rows.length, 0);

  const bar = options.progress && parsed.rows.length >= PROGRESS_THRESHOLD ? new SingleBar({ format: '{phase} [{bar}] {value}/{total} rows', hideCursor: true, stream: process.stdout }, Presets.shades_classic) : undefined;
  bar?.start(candidates * 2, 0, { phase: 'checking' });
  const call = async (domain: Domain, rows: IngestRow[], dryRun: boolean): Promise<Payload> => {
    const answer = await options.transport(domain, mutationFor(domain), { input: rows.map((r) => r.record), dryRun });
    return payloadOf(domain, answer);
  };

  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  try {
    // First every owning subgraph checks its rows (units, periods, targets, scope) without writing.
    for (const [domain, rows] of byDomain) {
      for (const batch of chunks(rows, batchSize)) {
        const payload = await call(domain, batch, true);
        for (const e of payload.errors) {
          const row = batch[e.index];
          if (row) addProblem(row, { line: row.line, field: e.field as LineProblem['field'], message: e.message });
        }
        bar?.increment(batch.length);
      }
    }

    const report = (): void => {
      [...problems.values()]
        .flat()
        .sort((a, b) => a.line - b.line)
        .forEach(say);
    };
    if (problems.size && !options.skipInvalid) {
      bar?.stop();
      report();
      const summary = { read: parsed.rows.length, written: 0, inserted: 0, updated: 0, unchanged: 0, rejected: problems.size };
      options.out(summaryLine(options.file, summary, `nothing written: ${problems.size} bad row${problems.size === 1 ? '' : 's'}; fix ${problems.size === 1 ? 'it' : 'them'} or use --skip-invalid`));
      return { summary, exitCode: 1 };
    }

    // Then the good rows are written, batch by batch; a batch is written whole or not at all.
    bar?.update(candidates, { phase: 'writing' });
    let failed = false;
    for (const [domain, rows] of byDomain) {
      for (const batch of chunks(rows.filter((r) => !problems.has(r)), batchSize)) {
        let payload = await call(domain, batch, false);
        if (!payload.ok) {
          // The store changed since the dry run (another writer, a unit catalogue update).
          for (const e of payload.errors) {
            const row = batch[e.index];
            if (row) addProblem(row, { line: row.line, field: e.field as LineProblem['field'], message: e.message });
          }
          const rest = batch.filter((r) => !problems.has(r));
          if (!options.skipInvalid || !rest.length) {
            failed = true;
            break;
          }
          payload = await call(domain, rest, false);
          if (!payload.ok) {
            failed = true;
            break;
          }
        }
        inserted += payload.inserted;
        updated += payload.updated;
        unchanged += payload.unchanged;
        bar?.increment(batch.length);
      }
      if (failed) break;
    }
    bar?.stop();
    report();

    let rejectsFile: string | undefined;
    if (problems.size && options.skipInvalid) {
      rejectsFile = options.rejectsFile ?? defaultRejectsFile(options.file);
      const rejects = parsed.rows.filter((r) => problems.has(r)).map((r) => ({ fields: r.fields, reasons: problems.get(r)!.map((p) => `line ${p.line}: ${p.field}: ${p.message}`) }));
      await writeFile(rejectsFile, formatRejects(parsed.format, rejects), 'utf8');
    }
    const summary: IngestSummary = {
      read: parsed.rows.length,
      written: inserted + updated,
      inserted,
      updated,
      unchanged,
      rejected: problems.size,
      ...(rejectsFile ? { rejectsFile } : {}),
    };
    const note = failed
      ? 'stopped: a batch was refused while writing; the batches before it were written'
      : rejectsFile
        ? `rejected rows written to ${rejectsFile}`
        : undefined;
    options.out(summaryLine(options.file, summary, note));
    return { summary, exitCode: failed ? 1 : 0 };
  } catch (error) {
    bar?.stop();
    if (error instanceof IngestAbortedError || error instanceof TransportError) {
      options.err(`${options.file}: ${error.message}`);
      const summary = { read: parsed.rows.length, written: inserted + updated, inserted, updated, unchanged, rejected: problems.size };
      options.out(summaryLine(options.file, summary, inserted + updated + unchanged ? 'aborted; the batches before the failure were written' : 'aborted; nothing written'));
      return { summary, exitCode: 1 };
    }
    throw error;
  }
}

function summaryLine(file: string, s: IngestSummary, note?: string): string {
  return `${file}: ${s.read} rows read, ${s.written} written (${s.inserted} inserted, ${s.updated} updated), ${s.unchanged} unchanged, ${s.rejected} rejected${note ? `; ${note}` : ''}`;
}
