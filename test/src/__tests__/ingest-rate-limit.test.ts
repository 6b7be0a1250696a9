import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtraGateway, startTestPlatform, TestPlatform } from '../harness';

// A bulk ingest meets the gateway's interactive rate limit: the CLI waits as Retry-After says, a
// bounded number of times, and says so.
let platform: TestPlatform;
let gateway: ExtraGateway;
let dir: string;
const CLI = require.resolve('@lgr/platform/dist/cli/main.js');
// One request a second on average, with a burst of 60: the bucket is emptied quickly and refills
// within the Retry-After of 1 s. The files go one row a batch, so each run makes more requests
// than the bucket regains while the CLI starts.
const PER_MINUTE = 60;

beforeAll(async () => {
  platform = await startTestPlatform();
  gateway = await platform.startGateway({ RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) });
  dir = mkdtempSync(join(tmpdir(), 'lgr-ingest-rate-'));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ingest(args: string[], token: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'ingest', ...args],
      { env: { ...process.env, PLATFORM_URL: gateway.url, PLATFORM_TOKEN: token } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

/** Spends the caller's whole bucket (the limit is per token subject), until the gateway refuses. */
async function drain(token: string): Promise<void> {
  for (let i = 0; i < PER_MINUTE * 2; i++) {
    const res = await gateway.post('/graphql', { query: '{ __typename }' }, token);
    if (res.status === 429) return;
  }
  throw new Error('The gateway never refused: is the rate limit configured?');
}

const FIGURE = `{ unit(code: "11335", asOf: "2024-12-31") { partyFigures(period: "2019S1", indicators: ["PB_NEW_MEMBERS"]) { value } } }`;

it('waits for Retry-After and then writes the file', async () => {
  const token = await platform.token('editor', ['31'], { sub: 'rate-limited-editor' });
  const file = join(dir, 'figures.csv');
  const others = ['PB_BADGES', 'PB_DISCIPLINE_MEMBERS', 'PB_DISCIPLINE_ORGS', 'PB_INSPECTIONS'];
  writeFileSync(
    file,
    [
      'indicator,unit,period,value,target',
      'PB_NEW_MEMBERS,11335,2019S1,17,',
      ...others.map((indicator) => `${indicator},11335,2019S1,1,`),
      '',
    ].join('\n'),
  );
  await drain(token);
  const r = await ingest([file, '--batch-size', '1'], token);
  expect(r.err).toMatch(/rate limit was reached; waiting \d+ s \(retry 1 of 10\)/);
  expect(r.code).toBe(0);
  expect(r.out).toContain('5 rows read, 5 written (5 inserted, 0 updated)');
  const stored = await platform.gql<{ unit: { partyFigures: { value: number }[] } }>(FIGURE);
  expect(stored.data!.unit.partyFigures).toEqual([{ value: 17 }]);
}, 120_000);

it('gives up after --max-retries refusals, naming the code, and writes nothing', async () => {
  const token = await platform.token('editor', ['31'], { sub: 'impatient-editor' });
  const file = join(dir, 'more.csv');
  const rows = ['PB_NEW_MEMBERS,11335,2019S2,23,'];
  for (let y = 2010; y < 2019; y++) for (const h of [1, 2, 3]) rows.push(`PB_NEW_MEMBERS,11335,${y}Q${h},1,`);
  writeFileSync(file, ['indicator,unit,period,value,target', ...rows, ''].join('\n'));
  await drain(token);
  // 28 batches are staged before the commit: the bucket cannot regain that many while the CLI starts.
  const r = await ingest([file, '--max-retries', '0', '--batch-size', '1'], token);
  expect(r.code).toBe(1);
  expect(r.err).toContain('RATE_LIMITED');
  expect(r.err).not.toContain('waiting');
  expect(r.out).toContain('aborted; nothing written');
  const stored = await platform.gql<{ unit: { partyFigures: { value: number }[] } }>(
    FIGURE.replace('2019S1', '2019S2'),
  );
  expect(stored.data!.unit.partyFigures).toEqual([]);
}, 120_000);
