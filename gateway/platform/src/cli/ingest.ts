import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { detectFormat, formatRejects, IngestRow, LineProblem, parseIngest } from '@lgr/observations';
import { Domain, DOMAINS, findIndicator, ingestRowKey } from '@lgr/schema';
import { DEFAULT_BATCH_SIZE, PROGRESS_THRESHOLD } from './ingest-options';
import { GraphQLResponse, Transport, TransportError } from './transport';

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
    throw new IngestAbortedError(
      `The ${domain.toLowerCase()} subgraph refused the batch${code}: ${first?.message ?? 'no answer'}`,
    );
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

/** What one ingest run has learnt so far: the problems of each row and what was written. */
interface IngestRun {
  readonly options: IngestOptions;
  readonly parsed: ReturnType<typeof parseIngest>;
  readonly batchSize: number;
  readonly problems: Map<IngestRow, LineProblem[]>;
  readonly byDomain: Map<Domain, IngestRow[]>;
  readonly bar: SingleBar | undefined;
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Ingests a CSV or JSON-lines file: checks every row locally (columns, numbers, known indicator),
 * then has each owning subgraph validate its rows with a dry run, and only then writes, in batches,
 * through the transport. Every problem is printed as `<file>:<line>: <field>: <reason>`. Unless
 * `skipInvalid` is set, one bad row means nothing is written.
 */
export async function runIngest(options: IngestOptions): Promise<IngestOutcome> {
  const text = await readFile(options.file, 'utf8');
  const parsed = parseIngest(text, detectFormat(options.file, text));
  if (parsed.fileProblems.length) return refuseUnreadableFile(options, parsed.fileProblems);
  const run = startRun(options, parsed);
  try {
    // First every owning subgraph checks its rows (units, periods, targets, scope) without writing.
    await dryRunEveryDomain(run);
    if (run.problems.size && !options.skipInvalid) return refuseBadRows(run);
    // Then the good rows are written, batch by batch; a batch is written whole or not at all.
    run.bar?.update(countCandidates(run), { phase: 'writing' });
    const failed = await writeEveryDomain(run);
    run.bar?.stop();
    reportProblems(run);
    return await finishRun(run, failed);
  } catch (error) {
    run.bar?.stop();
    if (error instanceof IngestAbortedError || error instanceof TransportError) return abortRun(run, error);
    throw error;
  }
}

function say(options: IngestOptions, p: LineProblem): void {
  options.err(`${options.file}:${p.line}: ${p.field}: ${p.message}`);
}

function refuseUnreadableFile(options: IngestOptions, fileProblems: readonly LineProblem[]): IngestOutcome {
  fileProblems.forEach((p) => say(options, p));
  const summary = { read: 0, written: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  options.out(summaryLine(options.file, summary, 'nothing written: the file cannot be read as ingest data'));
  return { summary, exitCode: 1 };
}

function addProblem(problems: Map<IngestRow, LineProblem[]>, row: IngestRow, p: LineProblem): void {
  const list = problems.get(row) ?? [];
  list.push(p);
  problems.set(row, list);
}

/** The rows' own problems, and every repeat of an indicator, unit and period already seen. */
function localProblems(rows: readonly IngestRow[]): Map<IngestRow, LineProblem[]> {
  const problems = new Map<IngestRow, LineProblem[]>();
  const firstLineOfKey = new Map<string, number>();
  for (const row of rows) {
    row.problems.forEach((p) => addProblem(problems, row, p));
    if (!row.record) continue;
    const key = ingestRowKey(row.record);
    const first = firstLineOfKey.get(key);
    if (first !== undefined)
      addProblem(problems, row, {
        line: row.line,
        field: 'row',
        message: `duplicate of line ${first}: same indicator, unit and period`,
      });
    else firstLineOfKey.set(key, row.line);
  }
  return problems;
}

/** The rows without local problems, by the domain that owns their indicator. */
function rowsByDomain(
  rows: readonly IngestRow[],
  problems: ReadonlyMap<IngestRow, LineProblem[]>,
): Map<Domain, IngestRow[]> {
  const byDomain = new Map<Domain, IngestRow[]>(DOMAINS.map((d) => [d, []]));
  for (const row of rows) {
    if (row.record && !problems.has(row)) byDomain.get(findIndicator(row.record.indicator)!.domain)!.push(row);
  }
  return byDomain;
}

function countCandidates(run: IngestRun): number {
  return [...run.byDomain.values()].reduce((n, rows) => n + rows.length, 0);
}

function startRun(options: IngestOptions, parsed: ReturnType<typeof parseIngest>): IngestRun {
  const problems = localProblems(parsed.rows);
  const showBar = options.progress && parsed.rows.length >= PROGRESS_THRESHOLD;
  const bar = showBar
    ? new SingleBar(
        { format: '{phase} [{bar}] {value}/{total} rows', hideCursor: true, stream: process.stdout },
        Presets.shades_classic,
      )
    : undefined;
  const run: IngestRun = {
    options,
    parsed,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    problems,
    byDomain: rowsByDomain(parsed.rows, problems),
    bar,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  bar?.start(countCandidates(run) * 2, 0, { phase: 'checking' });
  return run;
}

async function call(run: IngestRun, domain: Domain, rows: IngestRow[], dryRun: boolean): Promise<Payload> {
  const answer = await run.options.transport(domain, mutationFor(domain), { input: rows.map((r) => r.record), dryRun });
  return payloadOf(domain, answer);
}

/** Records the problems a subgraph found in `batch` against their rows. */
function addPayloadProblems(run: IngestRun, batch: readonly IngestRow[], payload: Payload): void {
  for (const e of payload.errors) {
    const row = batch[e.index];
    if (row)
      addProblem(run.problems, row, { line: row.line, field: e.field as LineProblem['field'], message: e.message });
  }
}

async function dryRunEveryDomain(run: IngestRun): Promise<void> {
  for (const [domain, rows] of run.byDomain) {
    for (const batch of chunks(rows, run.batchSize)) {
      addPayloadProblems(run, batch, await call(run, domain, batch, true));
      run.bar?.increment(batch.length);
    }
  }
}

function reportProblems(run: IngestRun): void {
  [...run.problems.values()]
    .flat()
    .sort((a, b) => a.line - b.line)
    .forEach((p) => say(run.options, p));
}

function refuseBadRows(run: IngestRun): IngestOutcome {
  const n = run.problems.size;
  run.bar?.stop();
  reportProblems(run);
  const summary = { read: run.parsed.rows.length, written: 0, inserted: 0, updated: 0, unchanged: 0, rejected: n };
  run.options.out(
    summaryLine(
      run.options.file,
      summary,
      `nothing written: ${n} bad row${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} or use --skip-invalid`,
    ),
  );
  return { summary, exitCode: 1 };
}

/**
 * Writes one batch. When the store changed since the dry run (another writer, a unit catalogue
 * update) the batch is refused whole; with --skip-invalid the rest of it is tried once more.
 * Returns whether the batch (or its rest) was written.
 */
async function writeBatch(run: IngestRun, domain: Domain, batch: IngestRow[]): Promise<boolean> {
  let payload = await call(run, domain, batch, false);
  if (!payload.ok) {
    addPayloadProblems(run, batch, payload);
    const rest = batch.filter((r) => !run.problems.has(r));
    if (!run.options.skipInvalid || !rest.length) return false;
    payload = await call(run, domain, rest, false);
    if (!payload.ok) return false;
  }
  run.inserted += payload.inserted;
  run.updated += payload.updated;
  run.unchanged += payload.unchanged;
  run.bar?.increment(batch.length);
  return true;
}

/** Writes the good rows domain by domain; returns true when a batch was refused and writing stopped. */
async function writeEveryDomain(run: IngestRun): Promise<boolean> {
  for (const [domain, rows] of run.byDomain) {
    for (const batch of chunks(
      rows.filter((r) => !run.problems.has(r)),
      run.batchSize,
    )) {
      if (!(await writeBatch(run, domain, batch))) return true;
    }
  }
  return false;
}

/** With --skip-invalid, the bad rows and their reasons go to the rejects file, in the input's format. */
async function writeRejects(run: IngestRun): Promise<string | undefined> {
  if (!run.problems.size || !run.options.skipInvalid) return undefined;
  const rejectsFile = run.options.rejectsFile ?? defaultRejectsFile(run.options.file);
  const rejects = run.parsed.rows
    .filter((r) => run.problems.has(r))
    .map((r) => ({
      fields: r.fields,
      reasons: run.problems.get(r)!.map((p) => `line ${p.line}: ${p.field}: ${p.message}`),
    }));
  await writeFile(rejectsFile, formatRejects(run.parsed.format, rejects), 'utf8');
  return rejectsFile;
}

async function finishRun(run: IngestRun, failed: boolean): Promise<IngestOutcome> {
  const rejectsFile = await writeRejects(run);
  const summary: IngestSummary = {
    read: run.parsed.rows.length,
    written: run.inserted + run.updated,
    inserted: run.inserted,
    updated: run.updated,
    unchanged: run.unchanged,
    rejected: run.problems.size,
    ...(rejectsFile ? { rejectsFile } : {}),
  };
  const note = failed
    ? 'stopped: a batch was refused while writing; the batches before it were written'
    : rejectsFile
      ? `rejected rows written to ${rejectsFile}`
      : undefined;
  run.options.out(summaryLine(run.options.file, summary, note));
  return { summary, exitCode: failed ? 1 : 0 };
}

/** The platform refused the whole operation or could not be reached: say so and what was written before. */
function abortRun(run: IngestRun, error: Error): IngestOutcome {
  run.options.err(`${run.options.file}: ${error.message}`);
  const { inserted, updated, unchanged } = run;
  const summary = {
    read: run.parsed.rows.length,
    written: inserted + updated,
    inserted,
    updated,
    unchanged,
    rejected: run.problems.size,
  };
  run.options.out(
    summaryLine(
      run.options.file,
      summary,
      inserted + updated + unchanged
        ? 'aborted; the batches before the failure were written'
        : 'aborted; nothing written',
    ),
  );
  return { summary, exitCode: 1 };
}

function summaryLine(file: string, s: IngestSummary, note?: string): string {
  return `${file}: ${s.read} rows read, ${s.written} written (${s.inserted} inserted, ${s.updated} updated), ${s.unchanged} unchanged, ${s.rejected} rejected${note ? `; ${note}` : ''}`;
}
