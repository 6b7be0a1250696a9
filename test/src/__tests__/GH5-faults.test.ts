import { startTestPlatform, TestPlatform, waitForExit } from '../harness';
import { ANALYTICS_DIGEST_SQL, Domain, DOMAINS, domainFacts, domainStoresSummary, FactsSummary, feedMismatches, feedStateUpTo, readAnalyticsCopy, summarise } from '../stores';
import { eventually, leakProblems, sleep } from '../support';

/**
 * Issue 5: faults survived. Services are killed (SIGKILL, the same as kill -9) while the platform
 * answers and ingests; every figure is counted before and after, in the domain subgraphs' own
 * databases and in analytics.
 */

let platform: TestPlatform;
let editor: string;
let communes: string[];
const report: string[] = [];

interface Row {
  indicator: string;
  unit: string;
  period: string;
  value: number;
}

interface HealthSource {
  name: string;
  lastSeq: number;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  editor = await platform.token('editor', ['31'], { sub: 'gh5-fault-editor' });
  const answer = await platform.gql('{ units(parent: "31", level: COMMUNE, asOf: "2020-01-01", first: 500) { totalCount edges { node { code } } } }');
  communes = answer.data.units.edges.map((e: { node: { code: string } }) => e.node.code);
  expect(communes.length).toBeGreaterThan(150);
}, 240_000);

afterAll(async () => {
  if (report.length) process.stdout.write(`GH5 fault figures:\n${report.map((l) => `  ${l}`).join('\n')}\n`);
  await platform?.stop();
}, 60_000);

/** Rows with distinct keys: indicators x communes x the months of `years`, `count` of them, values from `value`. */
function rows(indicators: string[], years: number[], count: number, value: (i: number) => number): Row[] {
  const out: Row[] = [];
  for (const year of years)
    for (let month = 1; month <= 12; month += 1)
      for (const indicator of indicators)
        for (const unit of communes) {
          if (out.length === count) return out;
          out.push({ indicator, unit, period: `${year}${String(month).padStart(2, '0')}`, value: value(out.length) });
        }
  if (out.length < count) throw new Error(`Only ${out.length} distinct keys for ${count} rows`);
  return out;
}

async function record(domain: Domain, input: Row[]): Promise<{ ok: boolean; inserted?: number; code?: string }> {
  const answer = await platform.gql(
    `mutation($input: [ObservationInput!]!) { ${domain} { recordObservations(input: $input) { ok inserted updated unchanged errors { index code message } } } }`,
    { input },
    editor,
  );
  const payload = answer.data?.[domain]?.recordObservations;
  if (payload) {
    if (!payload.ok) throw new Error(`Batch refused: ${JSON.stringify(payload.errors.slice(0, 3))}`);
    return { ok: true, inserted: payload.inserted };
  }
  expect(leakProblems(JSON.stringify(answer))).toEqual([]);
  return { ok: false, code: String(answer.errors?.[0]?.extensions?.code) };
}

async function health(name: string): Promise<any> {
  const res = await fetch(`${platform.serviceUrl(name as never)}/health`, { signal: AbortSignal.timeout(2000) });
  return res.json();
}

async function analyticsSeq(source: Domain): Promise<number> {
  const h = await health('analytics');
  return (h.sources as HealthSource[]).find((s) => s.name === source)!.lastSeq;
}

/** What analytics holds, through the SQL an admin would run. */
async function analyticsSummary(): Promise<FactsSummary> {
  const run = async (sql: string) => {
    const res = await platform.post('/sql', { sql });
    expect(res.status).toBe(200);
    return res.json.rows[0] as [number, string];
  };
  const [values, valuesDigest] = await run(ANALYTICS_DIGEST_SQL('observations', 'value'));
  const [targets, targetsDigest] = await run(ANALYTICS_DIGEST_SQL('targets', 'target'));
  return { values, valuesDigest, targets, targetsDigest };
}

/** Waits until analytics has applied every domain feed to its end, then compares it with the stores. */
async function expectAnalyticsEqualsStores(): Promise<FactsSummary> {
  const ends = Object.fromEntries(await Promise.all(DOMAINS.map(async (d) => [d, (await health(d)).lastSeq as number] as const)));
  await eventually('analytics to apply every feed to its end', async () => {
    const h = await health('analytics');
    return (h.sources as HealthSource[]).every((s) => s.lastSeq >= ends[s.name]!) ? true : undefined;
  });
  const stores = domainStoresSummary(platform.dataDir);
  expect(await analyticsSummary()).toEqual(stores);
  for (const d of DOMAINS) expect(feedMismatches(platform.dataDir, d)).toBe(0);
  return stores;
}

const FIGURES = `{ unit(id: "304@2000-01-01") { name partyFigures { value } economyFigures { value } socialFigures { value } }
  aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }`;

function figureCounts(data: any): Record<string, number | null> {
  return {
    party: data.unit.partyFigures?.length ?? null,
    economy: data.unit.economyFigures?.length ?? null,
    social: data.unit.socialFigures?.length ?? null,
    aggregate: data.aggregate?.rows?.[0]?.value ?? null,
  };
}

describe('GH5 faults', () => {
  it('starts with analytics holding exactly what the domain subgraphs store', async () => {
    const summary = await expectAnalyticsEqualsStores();
    report.push(`start: ${summary.values} values and ${summary.targets} targets in the stores and in analytics`);
  });

  it('a domain subgraph that dies gives partial data naming it; restarted, everything recovers without restarting anything else', async () => {
    const others = ['gateway', 'reference', 'economy', 'social', 'analytics'];
    const pids = Object.fromEntries(others.map((n) => [n, platform.process(n)!.pid]));
    const before = await platform.gql(FIGURES);
    expect(before.errors).toBeUndefined();
    const counts = figureCounts(before.data);
    expect(counts.party).toBeGreaterThan(0);

    const party = platform.process('party')!;
    party.kill('SIGKILL');
    expect(await waitForExit(party, 10_000)).toBe(true);

    const during = await platform.gql(FIGURES);
    expect(during.status).toBe(200);
    expect(figureCounts(during.data)).toEqual({ ...counts, party: null });
    expect(during.errors).toEqual([expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'party' } })]);
    expect(during.errors![0]!.message).toMatch(/party/);
    expect(leakProblems(JSON.stringify(during))).toEqual([]);
    const write = await record('party', [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2017S1', value: 1 }]);
    expect(write).toEqual({ ok: false, code: 'SOURCE_UNAVAILABLE' });
    // Analytics reports the party feed as stale rather than failing.
    const stale = await eventually('analytics to report the party feed stale', async () => {
      const a = await platform.gql('{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { stale sources { name stale } } }');
      return a.data.aggregate.sources.find((s: any) => s.name === 'party').stale ? a.data.aggregate : undefined;
    });
    expect(stale.stale).toBe(true);

    await platform.restart('party');
    const after = await platform.gql(FIGURES);
    expect(after.errors).toBeUndefined();
    expect(figureCounts(after.data)).toEqual(counts);
    expect((await record('party', [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2017S1', value: 1 }])).ok).toBe(true);
    await eventually('analytics to find the party feed again', async () => {
      const a = await platform.gql('{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { stale } }');
      return a.data.aggregate.stale === false ? true : undefined;
    });
    expect(Object.fromEntries(others.map((n) => [n, platform.process(n)?.pid]))).toEqual(pids);
    report.push(`party killed: figures of unit 304 before ${JSON.stringify(counts)}, during ${JSON.stringify(figureCounts(during.data))}, after ${JSON.stringify(figureCounts(after.data))}`);
  });

  it('kill -9 of a domain subgraph during an ingest: every acknowledged batch is stored whole, no batch half-written', async () => {
    const BATCH = 1000;
    const all = rows(['EB_BUDGET_REV', 'EB_NONSTATE_TAX', 'EB_LAND_REV', 'EB_BUDGET_EXP', 'EB_PUBLIC_INV_DISB', 'AR_TTHC_RECEIVED'], [2011], 12 * BATCH, (i) => 100_000 + i);
    const batches = Array.from({ length: all.length / BATCH }, (_, b) => all.slice(b * BATCH, (b + 1) * BATCH));
    const storedBefore = domainFacts(platform.dataDir, 'economy').length;
    const outcome: ('acked' | 'failed' | 'pending')[] = batches.map(() => 'pending');
    const economy = platform.process('economy')!;
    let next = 0;
    let acked = 0;
    let killed = false;
    // Two writers at once, so that a batch is in flight when the process dies.
    const writer = async () => {
      while (next < batches.length) {
        const b = next++;
        const result = await record('economy', batches[b]!).catch(() => ({ ok: false as const }));
        outcome[b] = result.ok ? 'acked' : 'failed';
        if (result.ok && (result as { inserted?: number }).inserted !== BATCH) throw new Error(`batch ${b} inserted ${(result as { inserted?: number }).inserted}`);
        if (result.ok) acked += 1;
        if (acked >= 4 && !killed) {
          killed = true;
          economy.kill('SIGKILL');
        }
      }
    };
    await Promise.all([writer(), writer()]);
    expect(killed).toBe(true);
    expect(await waitForExit(economy, 10_000)).toBe(true);
    await platform.restart('economy');

    const stored = new Map(domainFacts(platform.dataDir, 'economy').map((r) => [`${r.indicator}|${r.unit_id.replace(/@.*$/, '')}|${r.period}`, r.value]));
    const present = batches.map((batch) => batch.filter((r) => stored.get(`${r.indicator}|${r.unit}|${r.period}`) === r.value).length);
    const ackedBatches = outcome.flatMap((o, b) => (o === 'acked' ? [b] : []));
    expect(ackedBatches.length).toBeGreaterThanOrEqual(4);
    for (const b of ackedBatches) expect({ batch: b, present: present[b] }).toEqual({ batch: b, present: BATCH });
    for (const [b, n] of present.entries()) expect({ batch: b, whole: n === 0 || n === BATCH }).toEqual({ batch: b, whole: true });
    const written = present.filter((n) => n === BATCH).length;
    expect(domainFacts(platform.dataDir, 'economy').length).toBe(storedBefore + written * BATCH);
    expect(feedMismatches(platform.dataDir, 'economy')).toBe(0);
    report.push(
      `economy killed during an ingest of ${batches.length} x ${BATCH} rows: ${ackedBatches.length} batches acknowledged, ${written} stored whole, ${batches.length - written} not at all; ` +
        `economy figures ${storedBefore} before, ${storedBefore + written * BATCH} after`,
    );
    await expectAnalyticsEqualsStores();
  });

  it('SIGTERM to a domain subgraph in the middle of a write: the write completes and is acknowledged, then the process exits cleanly', async () => {
    const input = rows(['SS_JOBS_CREATED', 'CS_EVENTS', 'DF_FIRES'], [2010, 2011], 6000, (i) => 3 + (i % 11));
    const social = platform.process('social')!;
    const before = domainFacts(platform.dataDir, 'social').length;
    let answeredAt = 0;
    const write = record('social', input).then((r) => {
      answeredAt = performance.now();
      return r;
    });
    await sleep(150);
    const termAt = performance.now();
    social.kill('SIGTERM');
    expect(await write).toEqual({ ok: true, inserted: input.length });
    // The answer came after the signal: the write was in flight when the service was told to stop.
    expect(answeredAt).toBeGreaterThan(termAt);
    expect(await waitForExit(social, 15_000)).toBe(true);
    expect(social.exitCode).toBe(0);
    await platform.restart('social');
    expect(domainFacts(platform.dataDir, 'social').length).toBe(before + input.length);
    expect(feedMismatches(platform.dataDir, 'social')).toBe(0);
    report.push(`social stopped (SIGTERM) during a ${input.length}-row write: acknowledged, exit code 0, social figures ${before} -> ${before + input.length}`);
  });

  it('kill -9 of analytics in the middle of syncing a 20,000-row ingest: it resumes from its cursor and ends with exactly what the stores hold', async () => {
    const BATCH = 500;
    const all = rows(['PB_NEW_MEMBERS', 'PB_BADGES', 'PB_INSPECT_VIOLATION', 'PB_DISCIPLINE_MEMBERS', 'PB_RESOLUTIONS_ISSUED'], [2012, 2013], 20_000, (i) => 7 + (i % 97));
    const seqBefore = (await health('party')).lastSeq as number;
    const partyBefore = domainFacts(platform.dataDir, 'party').length;
    const analytics = platform.process('analytics')!;
    let acked = 0;
    let seenBeforeKill = 0;
    let killed = false;
    const ingest = (async () => {
      for (let b = 0; b * BATCH < all.length; b += 1) {
        const result = await record('party', all.slice(b * BATCH, (b + 1) * BATCH));
        expect(result).toEqual({ ok: true, inserted: BATCH });
        acked += 1;
      }
    })();
    // Kill analytics once it has applied part of the ingest, while the ingest goes on.
    while (!killed) {
      const seq = await analyticsSeq('party').catch(() => 0);
      if (seq >= seqBefore + 2000 && acked >= 8) {
        seenBeforeKill = seq;
        analytics.kill('SIGKILL');
        killed = true;
      } else {
        await sleep(20);
      }
      if (acked * BATCH >= all.length && !killed) throw new Error('the ingest finished before analytics had applied 2,000 of its changes');
    }
    const ackedAtKill = acked;
    // While analytics is down the rest still answers: reference data, with an error for the aggregate.
    const partial = await platform.gql('{ unit(code: "304", asOf: "2025-01-01") { name } aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }');
    expect(partial.data).toEqual({ unit: { name: 'Ngô Quyền' }, aggregate: null });
    expect(partial.errors).toEqual([expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'analytics' } })]);
    await ingest;
    expect(await waitForExit(analytics, 10_000)).toBe(true);
    const seqAfter = (await health('party')).lastSeq as number;
    expect(seqAfter).toBe(seqBefore + all.length);

    // What the crash left on disk: the cursor and the facts of each source agree exactly.
    const snapshot = await readAnalyticsCopy(platform.dataDir);
    const cursor = snapshot.cursors.party!;
    expect(cursor).toBeGreaterThanOrEqual(seenBeforeKill);
    expect(cursor).toBeLessThan(seqAfter);
    for (const d of DOMAINS) {
      expect({ source: d, facts: summarise(snapshot.factsBySource[d] ?? []) }).toEqual({ source: d, facts: summarise(feedStateUpTo(platform.dataDir, d, snapshot.cursors[d]!)) });
    }

    // Restarted, it answers from where it stopped: the first status it gives is at or past the cursor.
    let firstSeen: number | undefined;
    let polling = true;
    const poller = (async () => {
      while (polling && firstSeen === undefined) {
        firstSeen = await analyticsSeq('party').catch(() => undefined);
        await sleep(10);
      }
    })();
    await platform.restart('analytics');
    polling = false;
    await poller;
    expect(firstSeen).toBeGreaterThanOrEqual(cursor);

    const summary = await expectAnalyticsEqualsStores();
    const partyAfter = domainFacts(platform.dataDir, 'party').length;
    expect(partyAfter).toBe(partyBefore + all.length);
    report.push(
      `analytics killed after ${ackedAtKill} of ${all.length / BATCH} batches (party feed ${seqBefore} -> ${seqAfter}); cursor on disk ${cursor} (${cursor - seqBefore} of the ingest applied), ` +
        `first status after restart at ${firstSeen}; party figures ${partyBefore} -> ${partyAfter}; analytics ends with ${summary.values} values and ${summary.targets} targets, digests equal to the stores'`,
    );
  });
});
