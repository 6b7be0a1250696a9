import { readFileSync } from 'node:fs';
import { startTestPlatform, TestPlatform } from '../harness';
import { eventually, leakProblems, sleep } from '../support';

/**
 * Issue 10: what a hostile analyst could do with the SQL endpoint. Every request goes through the
 * gateway to the analytics process; memory is read from that process's /proc status.
 */

let platform: TestPlatform;
let analystA: string;
let analystB: string;

/** A query that only ever ends by being interrupted (a sum over a three-way cross join of the figures). */
const ENDLESS = 'SELECT sum(a.value * b.value * c.value) FROM observations a, observations b, observations c';

beforeAll(async () => {
  platform = await startTestPlatform({
    // The gateway gives up on analytics after 3 s; analytics would let a query run for a minute.
    env: { SQL_TIMEOUT_MS: '60000', SUBGRAPH_TIMEOUT_MS: '3000' },
  });
  analystA = await platform.token('analyst', ['31'], { sub: 'analyst-a' });
  analystB = await platform.token('analyst', ['31'], { sub: 'analyst-b' });
}, 480_000);

afterAll(() => platform?.stop(), 60_000);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Runs `send` while sampling the analytics process's memory; returns the answer and the growth in MB. */
async function withPeakGrowth<T>(send: () => Promise<T>): Promise<{ answer: T; growthMb: number }> {
  const pid = platform.process('analytics')!.pid!;
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  try {
    const answer = await send();
    peak = Math.max(peak, rssMb(pid));
    return { answer, growthMb: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

async function sqlHealth(): Promise<{ running: number; waiting: number }> {
  const res = await fetch(`${platform.serviceUrl('analytics')}/health`);
  return ((await res.json()) as { sql: { running: number; waiting: number } }).sql;
}

describe('hardening: SQL memory', () => {
  it.each([
    ["SELECT length(repeat('x', 1000000000))", 'repeat'],
    ['SELECT len(range(20000000))', 'range'],
  ])('%s is refused with a clear message and analytics does not grow by gigabytes', async (sql, fn) => {
    const { answer, growthMb } = await withPeakGrowth(() => platform.post('/sql', { sql }, analystA));
    console.log(`${sql}: HTTP ${answer.status}, analytics grew by ${growthMb.toFixed(0)} MB`);
    expect(answer.json.errors[0].extensions.code).toBe('SQL_REJECTED');
    expect(answer.json.errors[0].message).toContain(`${fn}() would build`);
    expect(leakProblems(answer.text, { echoesSql: true })).toEqual([]);
    expect(growthMb).toBeLessThan(300);
  });

  it('an answer is capped in bytes: 60 rows of 1 MB are cut off and the answer says so', async () => {
    // Each row is one string of 1,000 x 1,000 characters, built by an aggregate inside the limits of each function.
    const sql =
      "SELECT (SELECT string_agg(repeat('x', 1000), '') FROM (SELECT 1 FROM units LIMIT 1000)) AS mb FROM units LIMIT 60";
    const { answer, growthMb } = await withPeakGrowth(() => platform.post('/sql', { sql }, platform.adminToken));
    expect(answer.status).toBe(200);
    const rows = answer.json.rows as string[][];
    console.log(
      `60 x 1 MB: ${rows.length} rows, ${answer.text.length} bytes, truncated ${answer.json.truncated}, analytics grew by ${growthMb.toFixed(0)} MB`,
    );
    expect(rows[0]![0]!.length).toBe(1_000_000);
    expect(answer.json.truncated).toBe(true);
    expect(rows.length).toBeLessThan(60);
    expect(answer.text.length).toBeLessThanOrEqual(10_100_000);
  });
});

describe('hardening: SQL fairness and cancellation', () => {
  it("one analyst's slow queries do not make another analyst wait", async () => {
    const finished: string[] = [];
    const slow = [1, 2, 3, 4].map((i) =>
      platform.post('/sql', { sql: `${ENDLESS} WHERE ${i} > 0` }, analystA).then(() => finished.push(`A${i}`)),
    );
    await sleep(500);
    const quick = await platform.post('/sql', { sql: 'SELECT 42 AS answer' }, analystB);
    finished.push('B');
    expect(quick.json.rows).toEqual([[42]]);
    await Promise.all(slow);
    console.log(`order in which the answers came: ${finished.join(', ')}`);
    expect(finished[0]).toBe('B');
  });

  it('a query the gateway gave up on is interrupted in analytics, and so is one whose client went away', async () => {
    await eventually(
      'no SQL running',
      async () => ((await sqlHealth()).running === 0 && (await sqlHealth()).waiting === 0 ? true : undefined),
      30_000,
    );
    // The gateway answers TIMEOUT after 3 s; the query must not go on for the minute analytics allows.
    const gaveUp = await platform.post('/sql', { sql: ENDLESS }, analystA);
    expect(gaveUp.json.errors[0].extensions.code).toBe('TIMEOUT');
    await eventually(
      'the abandoned query to stop',
      async () => ((await sqlHealth()).running === 0 ? true : undefined),
      10_000,
    );
    // A client that disconnects after half a second.
    const controller = new AbortController();
    const sent = fetch(`${platform.baseUrl}/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analystB}` },
      body: JSON.stringify({ sql: ENDLESS }),
      signal: controller.signal,
    }).catch((e: Error) => e.name);
    await eventually('the query to start', async () => ((await sqlHealth()).running === 1 ? true : undefined), 10_000);
    controller.abort();
    expect(await sent).toBe('AbortError');
    await eventually(
      'the query of the client that went away to stop',
      async () => ((await sqlHealth()).running === 0 ? true : undefined),
      5_000,
    );
  });
});
