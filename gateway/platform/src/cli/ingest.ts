import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
// The file modules alone: the package's index loads the whole subgraph (ORM, GraphQL schema), which
// costs the CLI seconds of start-up for nothing.
import {
  formatReject,
  IngestFormat,
  IngestRow,
  LineProblem,
  rejectsHeader,
} from '@lgr/observations/dist/ingest-format';
import { detectFileFormat, IngestFileError, streamIngestChunks } from '@lgr/observations/dist/ingest-stream';
import { Domain, DOMAINS, findIndicator, ingestRowKey, toObservationColumns } from '@lgr/schema';
import { DEFAULT_BATCH_SIZE, PROGRESS_THRESHOLD_BYTES } from './ingest-options';
import { hashKey, KeyHashSet } from './key-hashes';
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
  /**
   * The hash that finds repeated keys (default {@link hashKey}); rows whose keys share a hash are
   * settled by their exact keys, so any function is correct. Tests pass a weak one to make distinct
   * keys collide.
   */
  readonly hashKey?: (key: string) => number;
  /** Told of every batch staged, with its size and the rows read so far (tools and tests watch the pacing). */
  readonly onBatch?: (event: { domain: Domain; rows: number; rowsRead: number }) => void;
  /**
   * Interrupts the run (the CLI aborts it on Ctrl-C): no further batch is sent, what was staged is
   * discarded and nothing is written. Once the commits have begun they finish.
   */
  readonly signal?: AbortSignal;
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

interface RowErrorPayload {
  index: number;
  field: string;
  message: string;
  code: string;
}

interface StagePayload {
  ok: boolean;
  staged: number;
  errors: RowErrorPayload[];
}

interface CommitPayload {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Thrown when the platform refuses the whole operation (no token, wrong role, a service down). */
export class IngestAbortedError extends Error {
  constructor(
    message: string,
    /** The error code the platform answered with, when it gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'IngestAbortedError';
  }
}

const ROW_ERRORS = 'errors { index field message code }';

// Columns rather than a list of input objects: a third of the bytes, and neither the gateway nor the
// subgraph coerces 5,000 input objects field by field.
const STAGE = (ns: string) =>
  `mutation Stage($run: String!, $columns: ObservationColumns!) { ${ns} { stageObservationColumns(run: $run, columns: $columns) { ok staged ${ROW_ERRORS} } } }`;
const COMMIT = (ns: string) =>
  `mutation Commit($run: String!) { ${ns} { commitObservationStage(run: $run) { inserted updated unchanged } } }`;
const DISCARD = (ns: string) => `mutation Discard($run: String!) { ${ns} { discardObservationStage(run: $run) } }`;

/** The answer of `field` under the domain's mutation namespace, or the refusal as an {@link IngestAbortedError}. */
function answerOf<T>(domain: Domain, field: string, answer: GraphQLResponse): T {
  const payload = answer.data?.[domain.toLowerCase()]?.[field] as T | undefined | null;
  if (payload === undefined || payload === null) {
    const first = answer.errors?.[0];
    const code = first?.extensions?.code === undefined ? undefined : String(first.extensions.code);
    throw new IngestAbortedError(
      `The ${domain.toLowerCase()} subgraph refused the ${field === 'stageObservationColumns' ? 'batch' : 'run'}${code ? ` (${code})` : ''}: ${first?.message ?? 'no answer'}`,
      code,
    );
  }
  return payload;
}

/** `data.csv` -> `data.rejects.csv`, next to the input. */
export function defaultRejectsFile(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.rejects${ext || '.csv'}`);
}

/**
 * What one ingest run has learnt so far. Rows are never all held: only the problems (by line), one
 * open batch per domain, and a 53-bit hash per distinct key to find repeats.
 */
interface IngestRun {
  readonly options: IngestOptions;
  readonly format: IngestFormat;
  readonly batchSize: number;
  /** The file's size and modification time when the run began; a file that changes is refused. */
  readonly stamp: string;
  readonly problems: Map<number, LineProblem[]>;
  readonly bar: SingleBar | undefined;
  /** The id under which every domain subgraph stages this file's rows until they are committed. */
  readonly runId: string;
  /** Domains that staged rows and have not committed or discarded them yet. */
  readonly staged: Set<Domain>;
  /** Domains whose rows are written. */
  readonly committed: Domain[];
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * At most one request in flight per domain while the next batches are read and checked, so reading
 * the file and the three subgraphs' work overlap; each domain's batches go out, and are answered, in
 * file order.
 */
class InFlightPerDomain {
  private readonly pending = new Map<Domain, Promise<void>>();

  /** Waits for the domain's request in flight (throwing its error), then starts `work`. */
  async send(domain: Domain, work: () => Promise<void>): Promise<void> {
    await this.pending.get(domain);
    const started = work();
    // Handled here so that a failure while the caller is elsewhere is not an unhandled rejection;
    // the caller still gets it from the next send() or drain().
    started.catch(() => undefined);
    this.pending.set(domain, started);
  }

  /** Waits until every request has settled, then throws the first failure, if any. */
  async drain(): Promise<void> {
    const settled = await Promise.allSettled(this.pending.values());
    this.pending.clear();
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * Runs `fn` with its own sender. When it returns, every request `fn` started has been answered, also
 * when `fn` failed: a batch still in flight must not stage rows after the run is discarded.
 */
async function sending(fn: (sender: InFlightPerDomain) => Promise<void>): Promise<void> {
  const sender = new InFlightPerDomain();
  try {
    await fn(sender);
  } catch (error) {
    await sender.drain().catch(() => undefined);
    throw error;
  }
  await sender.drain();
}

/** Rows gathered per owning domain until a batch is full. */
class DomainBatches {
  private readonly open = new Map<Domain, IngestRow[]>(DOMAINS.map((d) => [d, []]));

  constructor(private readonly size: number) {}

  /** Adds a row; returns its domain's batch when that is now full (and starts a new one). */
  add(row: IngestRow): { domain: Domain; rows: IngestRow[] } | undefined {
    const domain = findIndicator(row.record!.indicator)!.domain;
    const rows = this.open.get(domain)!;
    rows.push(row);
    if (rows.length < this.size) return undefined;
    this.open.set(domain, []);
    return { domain, rows };
  }

  /** The batches not yet full, emptied. */
  rest(): { domain: Domain; rows: IngestRow[] }[] {
    const out = [...this.open].filter(([, rows]) => rows.length).map(([domain, rows]) => ({ domain, rows }));
    for (const d of DOMAINS) this.open.set(d, []);
    return out;
  }
}

/**
 * Ingests a CSV or JSON-lines file of any size, streaming it in one pass: every row is checked locally
 * (columns, numbers, known indicator, repeated keys) and sent, batch by batch, to its owning subgraph,
 * which validates it (units, periods, targets, scope) and stages it under this run's id without
 * writing it. Only when no row is bad (or with `skipInvalid`) each subgraph then commits the run,
 * writing all of its rows in one transaction; otherwise the staged rows are discarded. Every problem
 * is printed as `<file>:<line>: <field>: <reason>`. Unless `skipInvalid` is set, one bad row means
 * nothing is written.
 */
export async function runIngest(options: IngestOptions): Promise<IngestOutcome> {
  const format = await detectFileFormat(options.file);
  const run = await startRun(options, format);
  try {
    try {
      await stageFile(run);
    } catch (error) {
      if (!(error instanceof IngestFileError)) throw error;
      run.bar?.stop();
      await discardStaged(run);
      return refuseUnreadableFile(options, error.problems);
    }
    if (run.problems.size && !options.skipInvalid) {
      await discardStaged(run);
      return refuseBadRows(run);
    }
    assertNotInterrupted(run);
    run.bar?.update({ phase: 'committing' });
    await commitStaged(run);
    run.bar?.stop();
    reportProblems(run);
    return await finishRun(run);
  } catch (error) {
    run.bar?.stop();
    if (error instanceof IngestAbortedError || error instanceof TransportError) {
      await discardStaged(run);
      return abortRun(run, error);
    }
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

function addProblem(run: IngestRun, p: LineProblem): void {
  const list = run.problems.get(p.line) ?? [];
  list.push(p);
  run.problems.set(p.line, list);
}

async function stampOf(file: string): Promise<string> {
  const s = await stat(file);
  return `${s.size}:${s.mtimeMs}`;
}

/** The passes read the file again: one that changed in between would be checked and written apart. */
async function assertUnchanged(run: IngestRun): Promise<void> {
  if ((await stampOf(run.options.file)) !== run.stamp)
    throw new IngestAbortedError('the file changed while it was being ingested; run the ingest again');
}

async function startRun(options: IngestOptions, format: IngestFormat): Promise<IngestRun> {
  const stamp = await stampOf(options.file);
  const size = Number(stamp.split(':')[0]);
  const bar =
    options.progress && size >= PROGRESS_THRESHOLD_BYTES
      ? new SingleBar(
          {
            format: '{phase} [{bar}] {percentage}% | {rows} rows',
            hideCursor: true,
            stream: process.stdout,
          },
          Presets.shades_classic,
        )
      : undefined;
  // Progress is counted in bytes read: the number of rows is not known before the file has been read.
  bar?.start(size, 0, { phase: 'staging', rows: 0 });
  return {
    options,
    format,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    stamp,
    problems: new Map(),
    bar,
    runId: `ingest-${randomUUID()}`,
    staged: new Set(),
    committed: [],
    read: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
}

/** The file's rows a chunk at a time (see {@link streamIngestChunks}). */
function chunks(run: IngestRun, onBytes = true) {
  return streamIngestChunks(
    run.options.file,
    run.format,
    onBytes && run.bar ? { onBytes: (n) => run.bar!.increment(n) } : {},
  );
}

/** Records the problems a subgraph found in `batch` against their rows. */
function addPayloadProblems(run: IngestRun, batch: readonly IngestRow[], errors: readonly RowErrorPayload[]): void {
  for (const e of errors) {
    const row = batch[e.index];
    if (row) addProblem(run, { line: row.line, field: e.field as LineProblem['field'], message: e.message });
  }
}

/** Throws when the run was interrupted (see {@link IngestOptions.signal}). */
function assertNotInterrupted(run: IngestRun): void {
  if (run.options.signal?.aborted) throw new IngestAbortedError('interrupted before anything was written');
}

async function stageCall(run: IngestRun, domain: Domain, batch: readonly IngestRow[]): Promise<StagePayload> {
  assertNotInterrupted(run);
  run.options.onBatch?.({ domain, rows: batch.length, rowsRead: run.read });
  const ns = domain.toLowerCase();
  const answer = await run.options.transport(domain, STAGE(ns), {
    run: run.runId,
    columns: toObservationColumns(batch.map((r) => r.record!)),
  });
  const payload = answerOf<StagePayload>(domain, 'stageObservationColumns', answer);
  if (payload.ok) run.staged.add(domain);
  return payload;
}

/**
 * Has the owning subgraph validate and stage one batch. A batch with a bad row stages nothing and
 * names every problem; with --skip-invalid its good rows are then staged on their own.
 */
function stageBatch(run: IngestRun, domain: Domain, batch: IngestRow[]): () => Promise<void> {
  return async () => {
    const payload = await stageCall(run, domain, batch);
    if (payload.ok) return;
    addPayloadProblems(run, batch, payload.errors);
    if (!run.options.skipInvalid) return;
    const rest = batch.filter((r) => !run.problems.has(r.line));
    if (rest.length) {
      const again = await stageCall(run, domain, rest);
      // The rest passed once already; a refusal now means the platform changed under the run.
      if (!again.ok) addPayloadProblems(run, rest, again.errors);
    }
  };
}

/**
 * The one pass over the file. A row whose key hashes like an earlier row's is held back as a suspect:
 * hashes can collide, so {@link settleSuspects} compares the exact keys of those few rows afterwards.
 */
async function stageFile(run: IngestRun): Promise<void> {
  const seen = new KeyHashSet();
  const suspects = new Set<number>();
  await sending((sender) => readAndStage(run, sender, seen, suspects));
  if (suspects.size) await settleSuspects(run, suspects);
}

async function readAndStage(
  run: IngestRun,
  sender: InFlightPerDomain,
  seen: KeyHashSet,
  suspects: Set<number>,
): Promise<void> {
  const hash = run.options.hashKey ?? hashKey;
  const batches = new DomainBatches(run.batchSize);
  for await (const chunk of chunks(run))
    for (const row of chunk) {
      run.read += 1;
      row.problems.forEach((p) => addProblem(run, p));
      if (!row.record) continue;
      const h = hash(ingestRowKey(row.record));
      if (!seen.add(h)) {
        suspects.add(h);
        continue;
      }
      const full = batches.add(row);
      if (full) {
        await sender.send(full.domain, stageBatch(run, full.domain, full.rows));
        run.bar?.update({ rows: run.read });
      }
    }
  for (const rest of batches.rest()) await sender.send(rest.domain, stageBatch(run, rest.domain, rest.rows));
}

/**
 * Reads the file once more, only when some key hash was seen twice, for those rows: a row whose exact
 * key came earlier is a duplicate; the others only shared a hash and are staged now like every other row.
 */
async function settleSuspects(run: IngestRun, suspects: ReadonlySet<number>): Promise<void> {
  await assertUnchanged(run);
  const hash = run.options.hashKey ?? hashKey;
  const firstLineOfKey = new Map<string, number>();
  const stagedInFirstPass = new Set<number>();
  const batches = new DomainBatches(run.batchSize);
  await sending(async (sender) => {
    for await (const chunk of chunks(run, false))
      for (const row of chunk) {
        if (!row.record) continue;
        const key = ingestRowKey(row.record);
        const h = hash(key);
        if (!suspects.has(h)) continue;
        const first = firstLineOfKey.get(key);
        if (first !== undefined) {
          addProblem(run, {
            line: row.line,
            field: 'row',
            message: `duplicate of line ${first}: same indicator, unit and period`,
          });
          continue;
        }
        firstLineOfKey.set(key, row.line);
        // The first row of each hash went to its subgraph in the first pass; the others wait until now.
        if (!stagedInFirstPass.has(h)) {
          stagedInFirstPass.add(h);
          continue;
        }
        const full = batches.add(row);
        if (full) await sender.send(full.domain, stageBatch(run, full.domain, full.rows));
      }
    for (const rest of batches.rest()) await sender.send(rest.domain, stageBatch(run, rest.domain, rest.rows));
  });
}

function reportProblems(run: IngestRun): void {
  [...run.problems.entries()].sort(([a], [b]) => a - b).forEach(([, list]) => list.forEach((p) => say(run.options, p)));
}

function refuseBadRows(run: IngestRun): IngestOutcome {
  const n = run.problems.size;
  run.bar?.stop();
  reportProblems(run);
  const summary = { read: run.read, written: 0, inserted: 0, updated: 0, unchanged: 0, rejected: n };
  run.options.out(
    summaryLine(
      run.options.file,
      summary,
      `nothing written: ${n} bad row${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} or use --skip-invalid`,
    ),
  );
  return { summary, exitCode: 1 };
}

/** Times a commit is asked again when its answer was lost (a timeout, a dropped connection). */
export const COMMIT_RETRIES = 10;

/** Whether a commit may have run although its answer was lost; asking again is safe (see commitStage). */
function answerLost(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return error instanceof IngestAbortedError && (error.code === 'TIMEOUT' || error.code === 'SOURCE_UNAVAILABLE');
}

/**
 * Each domain that staged rows writes them, in one transaction per domain, the domains at once. A
 * subgraph commits a run once: a commit whose answer was lost (a large run can outlast the gateway's
 * subgraph timeout) is asked again, and answers with the first commit's counts.
 */
async function commitStaged(run: IngestRun): Promise<void> {
  const commitOnce = async (domain: Domain) =>
    answerOf<CommitPayload>(
      domain,
      'commitObservationStage',
      await run.options.transport(domain, COMMIT(domain.toLowerCase()), { run: run.runId }),
    );
  const commits = DOMAINS.filter((d) => run.staged.has(d)).map(async (domain) => {
    let counts: CommitPayload | undefined;
    for (let retry = 0; !counts; retry++) {
      try {
        counts = await commitOnce(domain);
      } catch (error) {
        if (!answerLost(error) || retry === COMMIT_RETRIES) throw error;
        run.options.err(
          `${run.options.file}: the ${domain.toLowerCase()} commit did not answer (${(error as Error).message}); asking again (retry ${retry + 1} of ${COMMIT_RETRIES})`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retry, 15_000)));
      }
    }
    run.staged.delete(domain);
    run.committed.push(domain);
    run.inserted += counts.inserted;
    run.updated += counts.updated;
    run.unchanged += counts.unchanged;
  });
  const failed = (await Promise.allSettled(commits)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Drops what the subgraphs staged and did not write. Best effort: a subgraph that cannot be reached
 * now drops the run itself a day after it started.
 */
async function discardStaged(run: IngestRun): Promise<void> {
  for (const domain of [...run.staged]) {
    try {
      await run.options.transport(domain, DISCARD(domain.toLowerCase()), { run: run.runId });
    } catch {
      // Left to expire; the run's rows were never visible.
    }
    run.staged.delete(domain);
  }
}

/** With --skip-invalid, the bad rows and their reasons go to the rejects file, in the input's format. */
async function writeRejects(run: IngestRun): Promise<string | undefined> {
  if (!run.problems.size || !run.options.skipInvalid) return undefined;
  await assertUnchanged(run);
  const rejectsFile = run.options.rejectsFile ?? defaultRejectsFile(run.options.file);
  const format = run.format;
  async function* lines(): AsyncGenerator<string> {
    const header = rejectsHeader(format);
    if (header !== undefined) yield `${header}\n`;
    for await (const chunk of chunks(run, false))
      for (const row of chunk) {
        const problems = run.problems.get(row.line);
        if (!problems) continue;
        const reasons = problems.map((p) => `line ${p.line}: ${p.field}: ${p.message}`);
        yield `${formatReject(format, { fields: row.fields, reasons })}\n`;
      }
  }
  await pipeline(Readable.from(lines()), createWriteStream(rejectsFile, 'utf8'));
  return rejectsFile;
}

async function finishRun(run: IngestRun): Promise<IngestOutcome> {
  const rejectsFile = await writeRejects(run);
  const summary: IngestSummary = {
    read: run.read,
    written: run.inserted + run.updated,
    inserted: run.inserted,
    updated: run.updated,
    unchanged: run.unchanged,
    rejected: run.problems.size,
    ...(rejectsFile ? { rejectsFile } : {}),
  };
  const note = rejectsFile ? `rejected rows written to ${rejectsFile}` : undefined;
  run.options.out(summaryLine(run.options.file, summary, note));
  return { summary, exitCode: 0 };
}

/** The platform refused the whole operation or could not be reached: say so and what was written before. */
function abortRun(run: IngestRun, error: Error): IngestOutcome {
  run.options.err(`${run.options.file}: ${error.message}`);
  const { inserted, updated, unchanged } = run;
  const summary = {
    read: run.read,
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
      run.committed.length
        ? `aborted; the ${DOMAINS.filter((d) => run.committed.includes(d))
            .map((d) => d.toLowerCase())
            .join(' and ')} rows were written, the others not`
        : 'aborted; nothing written',
    ),
  );
  return { summary, exitCode: 1 };
}

function summaryLine(file: string, s: IngestSummary, note?: string): string {
  return `${file}: ${s.read} rows read, ${s.written} written (${s.inserted} inserted, ${s.updated} updated), ${s.unchanged} unchanged, ${s.rejected} rejected${note ? `; ${note}` : ''}`;
}
