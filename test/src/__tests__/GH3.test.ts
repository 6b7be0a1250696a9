import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPlatform, TestPlatform } from '../harness';

// Issue 3: recorded figures from the three domain subgraphs through the gateway, and the ingest CLI.
let platform: TestPlatform;
let dir: string;
const CLI = require.resolve('@lgr/platform/dist/cli/main.js');

beforeAll(async () => {
  platform = await startTestPlatform();
  dir = mkdtempSync(join(tmpdir(), 'lgr-ingest-'));
});

afterAll(() => platform?.stop());

function ingest(file: string, token = platform.adminToken): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'ingest', file],
      { env: { ...process.env, PLATFORM_URL: platform.gatewayUrl, PLATFORM_TOKEN: token } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

const FIGURES = `query($id: ID) { unit(id: $id) { name
  partyFigures(period: "2025S1") { indicator { code } value }
  economyFigures(period: "2025S1") { indicator { code } value }
  socialFigures(period: "2025S1") { indicator { code } value } } }`;

const WARD_FIGURES = `{ unit(code: "11335", asOf: "2024-12-31") { partyFigures(period: "2024S2", indicators: ["PB_NEW_MEMBERS"]) { value } } }`;

it("returns unit 304's recorded 2025S1 figures from all three domains next to its name", async () => {
  const res = await platform.gql<{ unit: Record<string, any> }>(FIGURES, { id: '304@2000-01-01' });
  expect(res.errors).toBeUndefined();
  const unit = res.data!.unit;
  expect(unit.name).toBe('Ngô Quyền');
  const value = (list: { indicator: { code: string }; value: number }[], code: string) =>
    list.find((f) => f.indicator.code === code)?.value;
  expect(value(unit.partyFigures, 'PB_NEW_MEMBERS')).toBe(254);
  expect(value(unit.economyFigures, 'EB_BUDGET_REV')).toBe(820800);
  expect(value(unit.socialFigures, 'SS_NEAR_POOR_HH')).toBe(0);
});

it('names every bad row of a file, writes nothing, and reports a re-run of a good file as unchanged', async () => {
  const before = JSON.stringify(await platform.gql(WARD_FIGURES));
  const bad = join(dir, 'bad.csv');
  writeFileSync(
    bad,
    [
      'indicator,unit,period,value,target',
      'PB_NEW_MEMBERS,11335,2024S2,6,',
      'NO_SUCH_INDICATOR,11335,2024S2,1,',
      'PB_NEW_MEMBERS,304,2025S2,2,',
      'PB_NEW_MEMBERS,11335,2025S3,1,',
      'PB_NEW_MEMBERS,11338,2024S2,abc,',
      '',
    ].join('\n'),
  );
  const failed = await ingest(bad);
  expect(failed.code).not.toBe(0);
  for (const line of [3, 4, 5, 6]) expect(failed.out).toMatch(new RegExp(`bad\\.csv:${line}:`));
  expect(failed.out).not.toMatch(/bad\.csv:2:/);
  expect(JSON.stringify(await platform.gql(WARD_FIGURES))).toBe(before);

  const good = join(dir, 'good.csv');
  writeFileSync(good, 'indicator,unit,period,value,target\nPB_NEW_MEMBERS,11335,2024S2,6,\n');
  const first = await ingest(good);
  expect(first.code).toBe(0);
  const second = await ingest(good);
  expect(second.code).toBe(0);
  expect(second.out).toMatch(/unchanged/i);
  expect(second.out).not.toBe(first.out);
  const after = await platform.gql<{ unit: { partyFigures: { value: number }[] } }>(WARD_FIGURES);
  expect(after.data!.unit.partyFigures).toEqual([{ value: 6 }]);
});

it('refuses a write by a viewer and by an editor outside their units', async () => {
  const file = join(dir, 'scoped.csv');
  writeFileSync(file, 'indicator,unit,period,value,target\nPB_NEW_MEMBERS,11383,2024S2,3,\n');
  const viewer = await ingest(file, await platform.token('viewer', ['305']));
  expect(viewer.code).not.toBe(0);
  expect(viewer.out).toMatch(/FORBIDDEN|not allowed/i);
  const editor = await ingest(file, await platform.token('editor', ['304']));
  expect(editor.code).not.toBe(0);
  expect(editor.out).toMatch(/scoped\.csv:2:/);
});
