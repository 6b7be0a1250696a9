import { rmSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { RunningDomainService } from '@lgr/observations';
import { AnalyticsServer } from '../..';
import { identity, postJson, record, rootOf, startAnalytics, startDomain, tempDir, U } from '../../__tests__/helpers';

async function workbookOf(res: Response): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
  return workbook;
}

/** A sheet's rows as objects keyed by its header row. */
function rowsOf(sheet: ExcelJS.Worksheet): Record<string, unknown>[] {
  const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push(Object.fromEntries(header.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return rows;
}

describe('GH13 xlsx and CSV-with-BOM exports', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;
  let exportUrl: string;
  const admin = identity('admin');

  beforeAll(async () => {
    party = await startDomain('party', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
    ]);
    analytics = await startAnalytics(dir, { party });
    exportUrl = `${rootOf(analytics.url)}/export`;
  });

  afterAll(async () => {
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports an aggregate as a workbook: numbers as numbers, Vietnamese names, the coverage column', async () => {
    const res = await postJson(
      exportUrl,
      { format: 'xlsx', aggregate: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] } },
      admin,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lgr-aggregate-\d{8}T\d{6}\.xlsx"$/);
    const workbook = await workbookOf(res);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Aggregate']);
    const [row] = rowsOf(workbook.worksheets[0]!);
    expect(row).toMatchObject({
      indicator: 'PB_NEW_MEMBERS',
      indicator_name_vi: 'Kết nạp đảng viên mới',
      unit_name: 'Quận Ngô Quyền',
      value: 254,
      target: 271,
      complete: true,
    });
    expect(row!.achievement_pct).toBeCloseTo(93.727, 3);
    expect(Object.keys(row!)).toContain('coverage_value');
  });

  it('exports SQL results as a workbook within the caller scope', async () => {
    const res = await postJson(
      exportUrl,
      { format: 'xlsx', sql: 'SELECT unit_name, value, period_start FROM observations ORDER BY value DESC' },
      identity('analyst', ['304']),
    );
    const rows = rowsOf((await workbookOf(res)).worksheets[0]!);
    expect(rows).toEqual([
      { unit_name: 'Ngô Quyền', value: 254, period_start: new Date('2025-01-01T00:00:00Z') },
      { unit_name: 'Máy Chai', value: 30, period_start: new Date('2025-01-01T00:00:00Z') },
    ]);
    const refused = await postJson(exportUrl, { format: 'xlsx', sql: 'SELECT 1' }, identity('viewer', ['304']));
    expect(refused.status).toBe(403);
  });

  it('puts several answers into one workbook, one sheet each', async () => {
    const res = await postJson(
      exportUrl,
      {
        format: 'xlsx',
        sheets: [
          {
            name: 'Ngô Quyền 2025S1',
            aggregate: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'], level: 'COMMUNE' },
          },
          { sql: "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])" },
        ],
      },
      admin,
    );
    expect(res.headers.get('content-disposition')).toMatch(/lgr-workbook-/);
    const workbook = await workbookOf(res);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Ngô Quyền 2025S1', 'SQL']);
    expect(rowsOf(workbook.worksheets[0]!).find((r) => r.unit_code === '11329')).toMatchObject({ value: 30 });
    expect(rowsOf(workbook.worksheets[1]!)).toEqual([{ value: 254 }]);
    const csvSheets = await postJson(exportUrl, { format: 'csv', sheets: [{ sql: 'SELECT 1' }] }, admin);
    expect(csvSheets.status).toBe(400);
    expect(((await csvSheets.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(
      /"sheets" is for format "xlsx"/,
    );
  });

  it('starts CSV with a byte-order mark only when asked', async () => {
    const sql = "SELECT name FROM units WHERE id = '304@2000-01-01'";
    const withBom = Buffer.from(
      await (await postJson(exportUrl, { format: 'csv', bom: true, sql }, admin)).arrayBuffer(),
    );
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(withBom.subarray(3).toString('utf8')).toBe('name\r\nNgô Quyền\r\n');
    const without = Buffer.from(await (await postJson(exportUrl, { format: 'csv', sql }, admin)).arrayBuffer());
    expect(without.toString('utf8')).toBe('name\r\nNgô Quyền\r\n');
  });
});
