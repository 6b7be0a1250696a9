import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import type { RunningDomainService } from '@lgr/observations';
import { AnalyticsServer } from '../..';
import { record, startAnalytics, startDomain, tempDir, U } from '../../__tests__/helpers';
import { cellsOf, errorOf, extendedBatch, int32, message, WireClient } from './wire-client';

const JWT_SECRET = 'pgwire-test-secret-0123456789abcdef0123456789';

function token(role: string, units: string[] = [], secret = JWT_SECRET): Promise<string> {
  return new SignJWT({ role, units })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`pg-${role}-${units.join('-') || 'all'}`)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

describe('GH13 PostgreSQL wire protocol of analytics', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;
  let port: number;
  const clients: Client[] = [];

  async function client(password: Promise<string> | string, extra: Record<string, unknown> = {}): Promise<Client> {
    const c = new Client({
      host: '127.0.0.1',
      port,
      database: 'lgr',
      user: 'tester',
      password: await password,
      ...extra,
    });
    clients.push(c);
    await c.connect();
    return c;
  }

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    party = await startDomain('party', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 99 },
    ]);
    analytics = await startAnalytics(
      dir,
      { party },
      {
        sqlTimeoutMs: 20_000,
        pgwire: {
          port: 0,
          tokens: { jwtSecret: JWT_SECRET },
          tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        },
      },
    );
    port = analytics.pgwirePort!;
  });

  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers simple and extended queries with parameters and correct type OIDs', async () => {
    const c = await client(token('admin'));
    const simple = await c.query(
      "SELECT unit_code, value, period_start FROM observations WHERE indicator = 'PB_NEW_MEMBERS' ORDER BY value DESC",
    );
    expect(simple.rows).toEqual([
      { unit_code: '304', value: 254, period_start: expect.any(Date) },
      { unit_code: '305', value: 99, period_start: expect.any(Date) },
      { unit_code: '11329', value: 30, period_start: expect.any(Date) },
    ]);
    expect(simple.fields.map((f) => f.dataTypeID)).toEqual([25, 701, 1082]);
    const extended = await c.query(
      'SELECT unit_code, value FROM observations WHERE value > $1 AND unit_code <> $2 ORDER BY value',
      [50, '305'],
    );
    expect(extended.rows).toEqual([{ unit_code: '304', value: 254 }]);
    const counted = await c.query('SELECT count(*) AS n FROM observations');
    expect(counted.fields[0]!.dataTypeID).toBe(20);
    expect(counted.rows[0].n).toBe('3');
  });

  it('gives the rolled-up numbers of aggregate(...) and reuses named prepared statements', async () => {
    const c = await client(token('analyst', ['304']));
    const q = {
      name: 'rolled',
      text: "SELECT value, target, achievement_pct, complete FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1']) WHERE value >= $1",
    };
    expect((await c.query({ ...q, values: [1] })).rows).toEqual([
      { value: 254, target: 271, achievement_pct: expect.closeTo(93.727, 3), complete: true },
    ]);
    expect((await c.query({ ...q, values: [1000] })).rows).toEqual([]);
  });

  it('applies the scope exactly as POST /sql: an analyst of 304 sees only its subtree', async () => {
    const c = await client(token('analyst', ['304']));
    const codes = (await c.query('SELECT DISTINCT unit_code FROM observations ORDER BY 1')).rows.map(
      (r) => r.unit_code,
    );
    expect(codes).toEqual(['11329', '304']);
    await expect(c.query("SELECT * FROM aggregate(['PB_NEW_MEMBERS'], ['305'], ['2025S1'])")).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/not allowed to read unit "305"/),
    });
  });

  it('refuses viewers, bad tokens and other databases at connect', async () => {
    await expect(client(token('viewer', ['304']))).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/SQL is for analysts and admins/),
    });
    await expect(client(token('admin', [], 'another-secret-0123456789abcdef0123456789'))).rejects.toMatchObject({
      code: '28P01',
    });
    await expect(client('not a token')).rejects.toMatchObject({ code: '28P01' });
    await expect(client(token('admin'), { database: 'postgres' })).rejects.toMatchObject({ code: '3D000' });
  });

  it("reports the sandbox's refusals with SQLSTATEs and recovers for the next query", async () => {
    const c = await client(token('admin'));
    await expect(c.query('SELECT * FROM secret')).rejects.toMatchObject({
      code: '42P01',
      message: expect.stringMatching(/Unknown table "secret"/),
    });
    await expect(c.query("COPY observations TO '/tmp/x.csv'")).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/COPY statements are not allowed/),
    });
    await expect(c.query('SELECT nope FROM units')).rejects.toMatchObject({ code: '42703' });
    await expect(c.query("SELECT getenv('HOME')")).rejects.toMatchObject({
      message: expect.stringMatching(/getenv\(\) is not allowed/),
    });
    expect((await c.query('SELECT count(*)::INTEGER AS n FROM units WHERE code = $1', ['304'])).rows).toEqual([
      { n: 1 },
    ]);
  });

  it('answers the catalogue questions drivers ask on connect', async () => {
    const c = await client(token('admin'));
    expect((await c.query('SELECT version()')).rows[0].version).toMatch(/^PostgreSQL 14\./);
    expect((await c.query('SELECT current_schema()')).rows).toEqual([{ current_schema: 'public' }]);
    expect((await c.query('SHOW standard_conforming_strings')).rows).toEqual([{ standard_conforming_strings: 'on' }]);
    await c.query('SET application_name = $$bi$$');
    expect((await c.query('SHOW application_name')).rows).toEqual([{ application_name: 'bi' }]);
    const tables = await c.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'indicators',
      'observations',
      'periods',
      'targets',
      'unit_tree',
      'units',
    ]);
    const columns = await c.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND column_name IN ('value', 'period_start') ORDER BY 1",
      ['observations'],
    );
    expect(columns.rows).toEqual([
      { column_name: 'period_start', data_type: 'date' },
      { column_name: 'value', data_type: 'double precision' },
    ]);
    await c.query('BEGIN');
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.query('COMMIT');
  });

  it('handles two pipelined extended batches in one write, and skips to Sync after an error', async () => {
    const w = await WireClient.open(port);
    expect((await w.login(await token('admin'))).map((r) => r.type)).toContain('Z');
    w.write(
      Buffer.concat([
        extendedBatch('SELECT value FROM observations WHERE unit_code = $1', ['304']),
        extendedBatch('SELECT nope FROM units'),
        extendedBatch('SELECT $1::INTEGER + 1 AS n', ['41']),
      ]),
    );
    await w.until((r) => r.type === 'Z', 3);
    const got = w.take();
    expect(got.map((r) => r.type).join('')).toBe('12TDCZ' + '12E' + 'Z' + '12TDCZ');
    expect(cellsOf(got.find((r) => r.type === 'D')!)).toEqual(['254']);
    expect(errorOf(got.find((r) => r.type === 'E')!).C).toBe('42703');
    expect(cellsOf(got.filter((r) => r.type === 'D')[1]!)).toEqual(['42']);
    w.close();
  });

  it('suspends a portal at Execute max rows and resumes it', async () => {
    const w = await WireClient.open(port);
    await w.login(await token('admin'));
    w.write(
      Buffer.concat([
        message('P', 's1', 'SELECT unit_code FROM observations ORDER BY unit_code', Buffer.from([0, 0])),
        message('B', 'p1', 's1', Buffer.from([0, 0, 0, 0, 0, 0])),
        message('E', 'p1', int32(2)),
        message('E', 'p1', int32(2)),
        message('S'),
      ]),
    );
    await w.until((r) => r.type === 'Z');
    expect(
      w
        .take()
        .map((r) => r.type)
        .join(''),
    ).toBe('12DDsDCZ');
    w.close();
  });

  it('cancels a running query on a CancelRequest with the session key', async () => {
    const w = await WireClient.open(port);
    const login = await w.login(await token('admin'));
    const key = login.find((r) => r.type === 'K')!.body;
    w.write(
      message(
        'Q',
        'WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 2000000000) SELECT count(*) FROM r',
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    const canceller = await WireClient.open(port);
    canceller.write(Buffer.concat([int32(16), int32(80877102), key]));
    await w.until((r) => r.type === 'Z');
    const error = w.take().find((r) => r.type === 'E');
    expect(errorOf(error!)).toMatchObject({ C: '57014', M: expect.stringMatching(/cancel/i) });
    w.close();
    canceller.close();
  });

  it('speaks TLS when configured (SSLRequest answered S)', async () => {
    const c = await client(token('admin'), { ssl: { rejectUnauthorized: false } });
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const w = await WireClient.open(port);
    expect(await w.sslRequest()).toBe('S');
    w.close();
  });

  it('ends a session whose token has expired, before running its next query', async () => {
    const soon = await new SignJWT({ role: 'admin', units: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('pg-short-lived')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const w = await WireClient.open(port);
    expect((await w.login(soon)).map((r) => r.type)).toContain('Z');
    await new Promise((r) => setTimeout(r, 3000));
    w.write(message('Q', 'SELECT 1'));
    await w.until(() => w.closed);
    expect(errorOf(w.take().find((r) => r.type === 'E')!)).toMatchObject({
      S: 'FATAL',
      C: '28P01',
      M: expect.stringMatching(/"exp" claim timestamp check failed; reconnect with a new token/),
    });
  });

  it('closes the connection on a malformed message with a FATAL protocol violation', async () => {
    const w = await WireClient.open(port);
    await w.login(await token('admin'));
    w.write(Buffer.from([0x51, 0, 0, 0, 1]));
    await w.until(() => w.closed);
    expect(errorOf(w.take().find((r) => r.type === 'E')!)).toMatchObject({ S: 'FATAL', C: '08P01' });
  });
});
