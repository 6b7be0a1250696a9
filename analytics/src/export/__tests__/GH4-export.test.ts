import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { RunningDomainService } from '@lgr/observations';
import { AnalyticsServer } from '../..';
import { identity, postJson, record, rootOf, startAnalytics, startDomain, tempDir, U } from '../../__tests__/helpers';

/** Reads a file with DuckDB's own readers, as an analyst's tool would. */
async function readBack(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('GH4 POST /export', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;
  let exportUrl: string;
  const admin = identity('admin');
  const AGGREGATE = {
    indicators: ['PB_NEW_MEMBERS'],
    units: ['304'],
    periods: ['2025S1'],
    level: 'COMMUNE',
    totals: true,
  };

  beforeAll(async () => {
    party = await startDomain('party', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.vanMy, period: '2025S1', value: 12.5 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 99 },
    ]);
    analytics = await startAnalytics(dir, { party });
    exportUrl = `${rootOf(analytics.url)}/export`;
  });

  afterAll(async () => {
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function download(body: unknown, who = admin): Promise<{ res: Response; file: string }> {
    const res = await postJson(exportUrl, body, who);
    const file = join(dir, `download-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return { res, file };
  }

  it('exports an aggregate as a CSV file with names, UTF-8 and a header', async () => {
    const { res, file } = await download({ aggregate: AGGREGATE, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="lgr-aggregate-\d{8}T\d{6}\.csv"$/);
    const rows = await readBack(
      `SELECT * FROM read_csv('${file}', header = true, all_varchar = true) ORDER BY total, unit_code`,
    );
    expect(rows).toHaveLength(9);
    expect(rows[0]).toMatchObject({
      indicator: 'PB_NEW_MEMBERS',
      indicator_name_vi: 'Kết nạp đảng viên mới',
      unit_id: U.mayChai,
      unit_code: '11329',
      unit_name: 'Phường Máy Chai',
      unit_level: 'COMMUNE',
      period: '2025S1',
      value: '30',
      complete: 'true',
      total: 'false',
      boundaries_as_of: '2025-06-30',
    });
    expect(rows[1]).toMatchObject({ unit_code: '11335', value: '12.5' });
    expect(rows[8]).toMatchObject({ unit_code: '304', total: 'true' });
  });

  it('exports an aggregate as Parquet that DuckDB reads back with its types, and deletes the file it wrote', async () => {
    const { res, file } = await download({ aggregate: AGGREGATE, format: 'parquet' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="lgr-aggregate-\d{8}T\d{6}\.parquet"$/,
    );
    const rows = await readBack(
      `SELECT unit_code, unit_name, value, complete, total, boundaries_as_of::VARCHAR AS d FROM read_parquet('${file}') ORDER BY total, unit_code`,
    );
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({
      unit_code: '11329',
      unit_name: 'Phường Máy Chai',
      value: 30,
      complete: true,
      total: false,
      d: '2025-06-30',
    });
    const types = await readBack(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}')) WHERE column_name IN ('value', 'complete', 'boundaries_as_of')`,
    );
    expect(types).toEqual([
      { column_name: 'value', column_type: 'DOUBLE' },
      { column_name: 'complete', column_type: 'BOOLEAN' },
      { column_name: 'boundaries_as_of', column_type: 'DATE' },
    ]);
    expect(readdirSync(join(dir, 'analytics-exports'))).toEqual([]);
  });

  it('exports SQL results as Parquet with their DuckDB types', async () => {
    const { res, file } = await download(
      {
        sql: 'SELECT unit_code, count(*) AS n, sum(value) AS total, max(updated_at) AS latest FROM observations GROUP BY unit_code ORDER BY unit_code',
        format: 'parquet',
      },
      identity('analyst', ['304']),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename="lgr-sql-\d{8}T\d{6}\.parquet"/);
    expect(res.headers.get('x-result-truncated')).toBe('false');
    const rows = await readBack(
      `SELECT unit_code, n, total, typeof(n) AS tn, typeof(latest) AS ta FROM read_parquet('${file}')`,
    );
    expect(rows).toEqual([
      { unit_code: '11329', n: 1n, total: 30, tn: 'BIGINT', ta: 'TIMESTAMP' },
      { unit_code: '11335', n: 1n, total: 12.5, tn: 'BIGINT', ta: 'TIMESTAMP' },
      { unit_code: '304', n: 1n, total: 254, tn: 'BIGINT', ta: 'TIMESTAMP' },
    ]);
  });

  it('exports SQL results as CSV', async () => {
    const { res, file } = await download(
      { sql: "SELECT code, name_vi FROM indicators WHERE code LIKE 'PB_NEW%'", format: 'csv' },
      identity('analyst'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename="lgr-sql-\d{8}T\d{6}\.csv"/);
    expect(await readBack(`SELECT * FROM read_csv('${file}', header = true)`)).toEqual([
      { code: 'PB_NEW_MEMBERS', name_vi: 'Kết nạp đảng viên mới' },
    ]);
  });

  it('holds the access rules of aggregate and SQL', async () => {
    const viewer = identity('viewer', ['304']);
    const own = await postJson(exportUrl, { aggregate: AGGREGATE, format: 'csv' }, viewer);
    expect(own.status).toBe(200);
    const other = await postJson(exportUrl, { aggregate: { ...AGGREGATE, units: ['305'] }, format: 'csv' }, viewer);
    expect(other.status).toBe(403);
    expect(((await other.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const sql = await postJson(exportUrl, { sql: 'SELECT 1', format: 'parquet' }, viewer);
    expect(sql.status).toBe(403);
    const rejected = await postJson(
      exportUrl,
      { sql: "SELECT * FROM read_parquet('/etc/passwd')", format: 'parquet' },
      admin,
    );
    expect(rejected.status).toBe(400);
    expect(((await rejected.json()) as any).errors[0].extensions.code).toBe('SQL_REJECTED');
    expect(readdirSync(join(dir, 'analytics-exports'))).toEqual([]);
  });

  it('wants exactly one of aggregate and sql', async () => {
    const both = await postJson(exportUrl, { aggregate: AGGREGATE, sql: 'SELECT 1', format: 'csv' }, admin);
    expect(both.status).toBe(400);
    expect(((await both.json()) as any).errors[0].message).toMatch(/exactly one of "aggregate" and "sql"/);
    const neither = await postJson(exportUrl, { format: 'parquet' }, admin);
    expect(neither.status).toBe(400);
  });
});
