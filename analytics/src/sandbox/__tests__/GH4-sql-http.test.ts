import { rmSync } from 'node:fs';
import type { RunningDomainService } from '@lgr/observations';
import { AnalyticsServer, SqlAnswer } from '../..';
import { identity, postJson, record, rootOf, startAnalytics, startDomain, tempDir, U } from '../../__tests__/helpers';

describe('GH4 POST /sql over HTTP', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;
  let sqlUrl: string;
  const analyst = identity('analyst', ['304']);
  const admin = identity('admin');

  beforeAll(async () => {
    party = await startDomain('party', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 99 },
    ]);
    analytics = await startAnalytics(dir, { party }, { sqlMaxRows: 3, sqlTimeoutMs: 300 });
    sqlUrl = `${rootOf(analytics.url)}/sql`;
  });

  afterAll(async () => {
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers an analyst's SELECT as JSON over their units only", async () => {
    const res = await postJson(
      sqlUrl,
      { sql: 'SELECT unit_code, period, value FROM observations ORDER BY unit_code' },
      analyst,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as any as SqlAnswer;
    expect(body).toEqual({
      columns: [
        { name: 'unit_code', type: 'VARCHAR' },
        { name: 'period', type: 'VARCHAR' },
        { name: 'value', type: 'DOUBLE' },
      ],
      rows: [
        ['11329', '2025S1', 30],
        ['304', '2025S1', 254],
      ],
      rowCount: 2,
      truncated: false,
    });
  });

  it('answers as CSV, quoted where needed, in UTF-8', async () => {
    const res = await postJson(
      sqlUrl,
      { sql: `SELECT 'a,"b"' AS x, full_name FROM units WHERE id = '${U.ngoQuyen}'`, format: 'csv' },
      analyst,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('x-result-truncated')).toBe('false');
    expect(Buffer.from(await res.arrayBuffer()).toString('utf8')).toBe('x,full_name\r\n"a,""b""",Quận Ngô Quyền\r\n');
  });

  it('cuts the answer at SQL_MAX_ROWS and says so', async () => {
    const res = await postJson(sqlUrl, { sql: 'SELECT id FROM units ORDER BY id' }, admin);
    const body = (await res.json()) as any as SqlAnswer;
    expect(body.rows).toHaveLength(3);
    expect(body).toMatchObject({ rowCount: 3, truncated: true });
  });

  it('refuses a COPY with a 400 SQL_REJECTED error that says what was refused', async () => {
    const res = await postJson(sqlUrl, { sql: "COPY observations TO '/tmp/x.csv'" }, admin);
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('SQL_REJECTED');
    expect(body.errors[0].message).toMatch(/^COPY statements are not allowed; only a single SELECT over the views/);
  });

  it('stops a runaway query at SQL_TIMEOUT_MS with a 504 TIMEOUT error', async () => {
    const started = Date.now();
    const res = await postJson(sqlUrl, { sql: 'SELECT count(*) FROM units a, units b, units c' }, admin);
    expect(res.status).toBe(504);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses viewers and editors with 403 FORBIDDEN', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      const res = await postJson(sqlUrl, { sql: 'SELECT 1' }, identity(role, ['304']));
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  it('refuses a request without a forwarded identity with 401', async () => {
    const res = await postJson(sqlUrl, { sql: 'SELECT 1' });
    expect(res.status).toBe(401);
  });

  it('names what is wrong with the body', async () => {
    const res = await postJson(sqlUrl, { query: 'SELECT 1', format: 'xml' }, admin);
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/sql: Required/);
    expect(body.errors[0].message).toMatch(/format: Invalid enum value/);
  });
});
