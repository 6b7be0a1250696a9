import type { TestPlatform } from './harness';
import type { Domain } from './stores';
import { leakProblems } from './support';

/** One row of `recordObservations`. */
export interface IngestRow {
  readonly indicator: string;
  readonly unit: string;
  readonly period: string;
  readonly value: number;
}

/** A stored figure as the fault tests compare them. */
export interface StoredFact {
  readonly indicator: string;
  readonly unit_id: string;
  readonly period: string;
  readonly value: number | null;
}

/** The commune codes of Hải Phòng before the 2025 reform, to write figures for. */
export async function haiPhongCommunes(platform: TestPlatform): Promise<string[]> {
  const answer = await platform.gql(
    '{ units(parent: "31", level: COMMUNE, asOf: "2020-01-01", first: 500) { edges { node { code } } } }',
  );
  return answer.data.units.edges.map((e: { node: { code: string } }) => e.node.code);
}

/** Rows with distinct keys: indicators x units x the months of `years`, `count` of them, values from `value`. */
export function ingestRows(
  units: readonly string[],
  indicators: string[],
  years: number[],
  count: number,
  value: (i: number) => number,
): IngestRow[] {
  const out: IngestRow[] = [];
  for (const year of years)
    for (let month = 1; month <= 12; month += 1)
      for (const indicator of indicators)
        for (const unit of units) {
          if (out.length === count) return out;
          out.push({ indicator, unit, period: `${year}${String(month).padStart(2, '0')}`, value: value(out.length) });
        }
  if (out.length < count) throw new Error(`Only ${out.length} distinct keys for ${count} rows`);
  return out;
}

/**
 * Writes rows through the gateway. A batch the domain refuses is a test error (the rows are meant to
 * be valid); a batch that gets no answer from the domain (it is down) comes back as `ok: false`.
 */
export async function recordThroughGateway(
  platform: TestPlatform,
  token: string,
  domain: Domain,
  input: readonly IngestRow[],
): Promise<{ ok: boolean; inserted?: number; code?: string }> {
  const answer = await platform.gql(
    `mutation($input: [ObservationInput!]!) { ${domain} { recordObservations(input: $input) { ok inserted updated unchanged errors { index code message } } } }`,
    { input },
    token,
  );
  const payload = answer.data?.[domain]?.recordObservations;
  if (payload) {
    if (!payload.ok) throw new Error(`Batch refused: ${JSON.stringify(payload.errors.slice(0, 3))}`);
    return { ok: true, inserted: payload.inserted };
  }
  const leaks = leakProblems(JSON.stringify(answer));
  if (leaks.length) throw new Error(leaks.join('; '));
  return { ok: false, code: String(answer.errors?.[0]?.extensions?.code) };
}

/** What {@link killDomainDuringIngest} saw. */
export interface KillDuringIngestOutcome {
  readonly batches: number;
  readonly batchSize: number;
  readonly acknowledged: number[];
  /** For each batch, how many of its rows are stored with the batch's values after the restart. */
  readonly present: number[];
  readonly storedBefore: number;
  readonly storedAfter: number;
}

/**
 * Writes `batches` batches of `batchSize` rows into `domain` with two writers at once and kills the
 * domain's process (SIGKILL) right after the fourth acknowledgement, so that a batch is in flight;
 * restarts it and reads back, straight from its database, which batches are stored.
 */
export async function killDomainDuringIngest(
  platform: TestPlatform,
  token: string,
  domain: Domain,
  rows: readonly IngestRow[],
  batchSize: number,
  storedFacts: () => Promise<StoredFact[]>,
): Promise<KillDuringIngestOutcome> {
  const batches = Array.from({ length: Math.ceil(rows.length / batchSize) }, (_, b) =>
    rows.slice(b * batchSize, (b + 1) * batchSize),
  );
  const storedBefore = (await storedFacts()).length;
  const outcome: ('acked' | 'failed' | 'pending')[] = batches.map(() => 'pending');
  const child = platform.process(domain)!;
  let next = 0;
  let acked = 0;
  let killed = false;
  const writer = async () => {
    while (next < batches.length) {
      const b = next++;
      const result = await recordThroughGateway(platform, token, domain, batches[b]!).catch(() => ({
        ok: false as const,
        inserted: undefined,
      }));
      outcome[b] = result.ok ? 'acked' : 'failed';
      if (result.ok && result.inserted !== batches[b]!.length)
        throw new Error(`batch ${b} inserted ${result.inserted} of ${batches[b]!.length}`);
      if (result.ok) acked += 1;
      if (acked >= 4 && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  };
  await Promise.all([writer(), writer()]);
  if (!killed) throw new Error('the ingest ended before the process was killed');
  await new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
  await platform.restart(domain);
  const facts = await storedFacts();
  const stored = new Map(facts.map((r) => [`${r.indicator}|${r.unit_id.replace(/@.*$/, '')}|${r.period}`, r.value]));
  return {
    batches: batches.length,
    batchSize,
    acknowledged: outcome.flatMap((o, b) => (o === 'acked' ? [b] : [])),
    present: batches.map(
      (batch) => batch.filter((r) => stored.get(`${r.indicator}|${r.unit}|${r.period}`) === r.value).length,
    ),
    storedBefore,
    storedAfter: facts.length,
  };
}

/**
 * Asserts what a kill during an ingest may leave: every acknowledged batch stored whole, every other
 * batch whole or absent, and the store grown by exactly the batches that are there. Returns a line
 * for the test's report.
 */
export function expectWholeBatches(what: string, outcome: KillDuringIngestOutcome): string {
  const { acknowledged, present, batchSize, storedBefore, storedAfter } = outcome;
  expect(acknowledged.length).toBeGreaterThanOrEqual(4);
  for (const b of acknowledged) expect({ batch: b, present: present[b] }).toEqual({ batch: b, present: batchSize });
  for (const [b, n] of present.entries())
    expect({ batch: b, whole: n === 0 || n === batchSize }).toEqual({ batch: b, whole: true });
  const written = present.filter((n) => n === batchSize).length;
  expect(storedAfter).toBe(storedBefore + written * batchSize);
  return (
    `${what} killed during an ingest of ${outcome.batches} x ${batchSize} rows: ${acknowledged.length} batches acknowledged, ${written} stored whole, ` +
    `${outcome.batches - written} not at all; figures ${storedBefore} before, ${storedAfter} after`
  );
}
