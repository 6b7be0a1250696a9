import { request as httpRequest } from 'node:http';
import { startTestPlatform, TestPlatform, waitForExit } from '../harness';
import {
  expectWholeBatches,
  haiPhongCommunes,
  IngestRow,
  ingestRows,
  recordThroughGateway,
  killDomainDuringIngest,
} from '../ingest';
import {
  ANALYTICS_DIGEST_SQL,
  Domain,
  DOMAINS,
  domainFacts,
  domainStoresSummary,
  FactsSummary,
  feedMismatches,
  feedStateUpTo,
  readAnalyticsCopy,
  summarise,
} from '../stores';
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

interface HealthSource {
  name: string;
  lastSeq: number;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  editor = await platform.token('editor', ['31'], { sub: 'gh5-fault-editor' });
  communes = await haiPhongCommunes(platform);
  expect(communes.length).toBeGreaterThan(150);
}, 240_000);

afterAll(async () => {
  if (report.length) process.stdout.write(`GH5 fault figures:\n${report.map((l) => `  ${l}`).join('\n')}\n`);
  await platform?.stop();
}, 60_000);

const rows = (indicators: string[], years: number[], count: number, value: (i: number) => number) =>
  ingestRows(communes, indicators, years, count, value);
const record = (domain: Domain, input: IngestRow[]) => recordThroughGateway(platform, editor, domain, input);

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
  const ends = Object.fromEntries(
    await Promise.all(DOMAINS.map(async (d) => [d, (await health(d)).lastSeq as number] as const)),
  );
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
    expect(during.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'party' } }),
    ]);
    expect(during.errors![0]!.message).toMatch(/party/);
    expect(leakProblems(JSON.stringify(during))).toEqual([]);
    const write = await record('party', [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2017S1', value: 1 }]);
    expect(write).toEqual({ ok: false, code: 'SOURCE_UNAVAILABLE' });
    // Analytics reports the party feed as stale rather than failing.
    const stale = await eventually('analytics to report the party feed stale', async () => {
      const a = await platform.gql(
        '{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { stale sources { name stale } } }',
      );
      return a.data.aggregate.sources.find((s: any) => s.name === 'party').stale ? a.data.aggregate : undefined;
    });
    expect(stale.stale).toBe(true);

    await platform.restart('party');
    const after = await platform.gql(FIGURES);
    expect(after.errors).toBeUndefined();
    expect(figureCounts(after.data)).toEqual(counts);
    expect((await record('party', [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2017S1', value: 1 }])).ok).toBe(
      true,
    );
    await eventually('analytics to find the party feed again', async () => {
      const a = await platform.gql(
        '{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { stale } }',
      );
      return a.data.aggregate.stale === false ? true : undefined;
    });
    expect(Object.fromEntries(others.map((n) => [n, platform.process(n)?.pid]))).toEqual(pids);
    report.push(
      `party killed: figures of unit 304 before ${JSON.stringify(counts)}, during ${JSON.stringify(figureCounts(during.data))}, after ${JSON.stringify(figureCounts(after.data))}`,
    );
  });

  it("a write to two domains while one is down: the other domain's write is applied and its answer comes back, with an error for the one that is down", async () => {
    const party = platform.process('party')!;
    party.kill('SIGKILL');
    expect(await waitForExit(party, 10_000)).toBe(true);
    try {
      const input = [{ indicator: 'EB_BUDGET_REV', unit: '304', period: '2017S1', value: 4242 }];
      const answer = await platform.gql(
        `mutation($p: [ObservationInput!]!, $e: [ObservationInput!]!) {
           party { recordObservations(input: $p) { ok } }
           economy { recordObservations(input: $e) { ok inserted updated } } }`,
        { p: [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2017S1', value: 1 }], e: input },
        editor,
      );
      // The economy write happens whatever the answer says; the answer must say so.
      const stored = domainFacts(platform.dataDir, 'economy').find(
        (f) => f.indicator === 'EB_BUDGET_REV' && f.unit_id === '304@2000-01-01' && f.period === '2017S1',
      );
      expect(stored?.value).toBe(4242);
      expect(answer.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'party' } }),
      ]);
      expect(answer.data?.economy?.recordObservations).toEqual({ ok: true, inserted: 1, updated: 0 });
    } finally {
      await platform.restart('party');
    }
  });

  it('kill -9 of a domain subgraph during an ingest: every acknowledged batch is stored whole, no batch half-written', async () => {
    const all = rows(
      ['EB_BUDGET_REV', 'EB_NONSTATE_TAX', 'EB_LAND_REV', 'EB_BUDGET_EXP', 'EB_PUBLIC_INV_DISB', 'AR_TTHC_RECEIVED'],
      [2011],
      12_000,
      (i) => 100_000 + i,
    );
    const outcome = await killDomainDuringIngest(platform, editor, 'economy', all, 1000, async () =>
      domainFacts(platform.dataDir, 'economy'),
    );
    report.push(expectWholeBatches('economy (SQLite)', outcome));
    expect(feedMismatches(platform.dataDir, 'economy')).toBe(0);
    await expectAnalyticsEqualsStores();
  });

  it('SIGTERM to a domain subgraph in the middle of a write: the write completes and is acknowledged, then the process exits cleanly', async () => {
    const input = rows(['SS_JOBS_CREATED', 'CS_EVENTS', 'DF_FIRES'], [2010, 2011], 6000, (i) => 3 + (i % 11));
    const social = platform.process('social')!;
    const before = domainFacts(platform.dataDir, 'social').length;
    // The write goes to social directly with its body in two halves: social has the headers (the
    // request is in flight) when the signal goes, and the rest of the body only once social has
    // stopped taking connections, so the write is served during the drain, whatever the machine's speed.
    const body = Buffer.from(
      JSON.stringify({
        query: `mutation($input: [ObservationInput!]!) { social { recordObservations(input: $input) { ok inserted } } }`,
        variables: { input },
      }),
    );
    const headers = await platform.forwardedHeaders({ sub: 'gh5-sigterm', role: 'admin', units: [] });
    const write = openPost(`${platform.serviceUrl('social')}/graphql`, headers, body.length);
    write.request.write(body.subarray(0, body.length >> 1));
    await eventually('the write in flight at social', async () => ((await inFlight('social')) > 0 ? true : undefined));
    social.kill('SIGTERM');
    await eventually('social to stop taking connections', async () =>
      fetch(`${platform.serviceUrl('social')}/health`).then(
        () => undefined,
        () => true,
      ),
    );
    write.request.end(body.subarray(body.length >> 1));
    const answer = await write.answer;
    expect({ status: answer.status, body: answer.json }).toEqual({
      status: 200,
      body: { data: { social: { recordObservations: { ok: true, inserted: input.length } } } },
    });
    expect(await waitForExit(social, 15_000)).toBe(true);
    expect(social.exitCode).toBe(0);
    await platform.restart('social');
    expect(domainFacts(platform.dataDir, 'social').length).toBe(before + input.length);
    expect(feedMismatches(platform.dataDir, 'social')).toBe(0);
    report.push(
      `social stopped (SIGTERM) during a ${input.length}-row write: acknowledged, exit code 0, social figures ${before} -> ${before + input.length}`,
    );
  });

  it('kill -9 of analytics in the middle of syncing a 20,000-row ingest: it resumes from its cursor and ends with exactly what the stores hold', async () => {
    const BATCH = 500;
    const all = rows(
      ['PB_NEW_MEMBERS', 'PB_BADGES', 'PB_INSPECT_VIOLATION', 'PB_DISCIPLINE_MEMBERS', 'PB_RESOLUTIONS_ISSUED'],
      [2012, 2013],
      20_000,
      (i) => 7 + (i % 97),
    );
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
      if (acked * BATCH >= all.length && !killed)
        throw new Error('the ingest finished before analytics had applied 2,000 of its changes');
    }
    const ackedAtKill = acked;
    // While analytics is down the rest still answers: reference data, with an error for the aggregate.
    const partial = await platform.gql(
      '{ unit(code: "304", asOf: "2025-01-01") { name } aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }',
    );
    expect(partial.data).toEqual({ unit: { name: 'Ngô Quyền' }, aggregate: null });
    expect(partial.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'analytics' } }),
    ]);
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
      expect({ source: d, facts: summarise(snapshot.factsBySource[d] ?? []) }).toEqual({
        source: d,
        facts: summarise(feedStateUpTo(platform.dataDir, d, snapshot.cursors[d]!)),
      });
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

/** Requests a service is serving now, from its `/metrics`. */
async function inFlight(service: 'party' | 'economy' | 'social'): Promise<number> {
  const headers = await platform.forwardedHeaders({ sub: 'ops', role: 'admin', units: [] });
  const text = await (await fetch(`${platform.serviceUrl(service)}/metrics`, { headers })).text();
  const line = /^http_requests_in_flight(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!line) throw new Error(`no http_requests_in_flight in ${service}'s /metrics: ${text.slice(0, 200)}`);
  return Number(line[1]);
}

/** A POST whose body the caller writes (and ends) itself; `answer` is its status and parsed JSON. */
function openPost(url: string, headers: Record<string, string>, length: number) {
  const request = httpRequest(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'content-length': length },
  });
  const answer = new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
  });
  return { request, answer };
}
