import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startTestPlatform, TestPlatform } from '../harness';

// Issue 13: BI tools and drivers over the PostgreSQL wire protocol of analytics, with real clients:
// psql, node-postgres, psycopg2 with SQLAlchemy, and the PostgreSQL JDBC driver.
const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const JDBC_JAR = '/usr/share/java/postgresql.jar';
let platform: TestPlatform;
let work: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  work = mkdtempSync(join(tmpdir(), 'lgr-bi-clients-'));
});

afterAll(async () => {
  await platform?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function conninfo(extra = ''): string {
  return `host=127.0.0.1 port=${platform.pgwirePort} dbname=lgr user=bi-test sslmode=disable connect_timeout=10 ${extra}`;
}

async function psql(token: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('psql', [conninfo(), '-X', '-v', 'ON_ERROR_STOP=1', ...args], {
      env: { ...process.env, PGPASSWORD: token },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? 1 };
  }
}

async function sqlOverHttp(token: string, sql: string): Promise<{ status: number; rows: unknown[][] }> {
  const res = await platform.post('/sql', { sql }, token);
  return { status: res.status, rows: res.status === 200 ? (res.json as { rows: unknown[][] }).rows : [] };
}

describe('psql', () => {
  it('lists the views with \\dt, describes observations with \\d, and runs a query', async () => {
    const token = platform.adminToken;
    const tables = await psql(token, '-Atc', '\\dt');
    expect(tables.stderr).toBe('');
    expect(tables.stdout.split('\n').filter(Boolean)).toEqual([
      'public|indicators|table|lgr',
      'public|observations|table|lgr',
      'public|periods|table|lgr',
      'public|targets|table|lgr',
      'public|unit_tree|table|lgr',
      'public|units|table|lgr',
    ]);
    const described = await psql(token, '-c', '\\d observations');
    expect(described.stderr).toBe('');
    expect(described.stdout).toMatch(/Table "public\.observations"/);
    expect(described.stdout).toMatch(/ value +\| double precision/);
    expect(described.stdout).toMatch(/ period_start +\| date/);
    const value = await psql(token, '-Atc', "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])");
    expect(value).toMatchObject({ code: 0, stdout: '254\n' });
  });

  it('is told the server does not do TLS when TLS is not configured', async () => {
    const { code, stderr } = await run(
      'psql',
      [conninfo().replace('sslmode=disable', 'sslmode=require'), '-Atc', 'SELECT 1'],
      { env: { ...process.env, PGPASSWORD: platform.adminToken } },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/server does not support SSL/);
  });

  it('refuses a viewer and shows an analyst only the units of their scope, exactly as POST /sql', async () => {
    const viewer = await psql(await platform.token('viewer', ['304']), '-Atc', 'SELECT 1');
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr).toMatch(/SQL is for analysts and admins; your role is viewer/);
    const analyst = await platform.token('analyst', ['304']);
    const sql =
      "SELECT unit_code, period, value FROM observations WHERE indicator = 'PB_NEW_MEMBERS' AND period IN ('2024S2', '2025S1') ORDER BY 1, 2";
    const overPg = await psql(analyst, '-At', '-F', ',', '-c', sql);
    const overHttp = await sqlOverHttp(analyst, sql);
    expect(overHttp.status).toBe(200);
    expect(overPg.stdout.split('\n').filter(Boolean)).toEqual(overHttp.rows.map((r) => r.join(',')));
    expect(overHttp.rows.length).toBeGreaterThan(8);
    const allowed = new Set(['304', '11329', '11335', '11338', '11341', '11344', '11350', '11359', '11365']);
    expect(overHttp.rows.every((r) => allowed.has(String(r[0])))).toBe(true);
    const outside = await psql(
      await platform.token('analyst', ['305']),
      '-Atc',
      "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])",
    );
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/not allowed to read unit "304"/);
  });
});

describe('node-postgres', () => {
  it('runs parameterised queries and prepared statements against the views and aggregate()', async () => {
    const client = new Client({
      host: '127.0.0.1',
      port: platform.pgwirePort,
      database: 'lgr',
      user: 'node',
      password: platform.adminToken,
    });
    await client.connect();
    try {
      const recorded = await client.query(
        'SELECT unit_name, value FROM observations WHERE indicator = $1 AND unit_code = $2 AND period = $3',
        ['PB_NEW_MEMBERS', '304', '2025S1'],
      );
      expect(recorded.rows).toEqual([{ unit_name: 'Ngô Quyền', value: 254 }]);
      const statement = {
        name: 'wards',
        text: "SELECT unit_name, value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'], level := 'COMMUNE') WHERE value >= $1 ORDER BY value DESC, unit_name",
      };
      const wards = await client.query({ ...statement, values: [0] });
      expect(wards.rows.length).toBe(8);
      const big = await client.query({ ...statement, values: [wards.rows[0].value] });
      expect(big.rows).toEqual([wards.rows[0]]);
    } finally {
      await client.end();
    }
  });
});

describe('psycopg2 and SQLAlchemy', () => {
  it('connects, reflects the views and runs a parameterised query', async () => {
    const script = join(work, 'bi.py');
    writeFileSync(
      script,
      `
import json, sys, psycopg2
from sqlalchemy import create_engine, inspect, text
port, token = int(sys.argv[1]), sys.argv[2]
out = {}
conn = psycopg2.connect(host='127.0.0.1', port=port, dbname='lgr', user='py', password=token)
cur = conn.cursor()
cur.execute("SELECT value, complete FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1']) WHERE value > %s", (100,))
out['psycopg2'] = cur.fetchall()
conn.close()
engine = create_engine('postgresql+psycopg2://py:%s@127.0.0.1:%d/lgr' % (token, port))
with engine.connect() as c:
    out['tables'] = sorted(inspect(c).get_table_names())
    out['columns'] = [(col['name'], str(col['type'])) for col in inspect(c).get_columns('observations')][:3]
    out['sqlalchemy'] = [list(r) for r in c.execute(text("SELECT unit_code, value FROM observations WHERE indicator = :i AND period = :p AND unit_code = :u"), {'i': 'PB_NEW_MEMBERS', 'p': '2025S1', 'u': '304'})]
print(json.dumps(out))
`,
    );
    const { stdout } = await run(PYTHON, [script, String(platform.pgwirePort), platform.adminToken]);
    expect(JSON.parse(stdout)).toEqual({
      psycopg2: [[254, true]],
      tables: ['indicators', 'observations', 'periods', 'targets', 'unit_tree', 'units'],
      columns: [
        ['indicator', 'TEXT'],
        ['unit_id', 'TEXT'],
        ['unit_code', 'TEXT'],
      ],
      sqlalchemy: [['304', 254]],
    });
  });
});

describe('JDBC', () => {
  it('connects, lists the tables through DatabaseMetaData and runs a parameterised query', async () => {
    writeFileSync(
      join(work, 'BiClient.java'),
      `
import java.sql.*;
import java.util.*;
public class BiClient {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "jdbc");
    p.setProperty("password", args[1]);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + args[0] + "/lgr", p)) {
      DatabaseMetaData md = c.getMetaData();
      try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"})) {
        while (rs.next()) System.out.println("table " + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
      }
      try (ResultSet rs = md.getColumns(null, "public", "observations", "value")) {
        while (rs.next()) System.out.println("column " + rs.getString("COLUMN_NAME") + " " + rs.getInt("DATA_TYPE") + " " + rs.getString("TYPE_NAME"));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT unit_code, value FROM aggregate(ARRAY['PB_NEW_MEMBERS'], ARRAY['304'], ARRAY['2025S1']) WHERE value > ?")) {
        for (int round = 1; round <= 6; round++) {
          ps.setDouble(1, 100.0);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) if (round == 6) System.out.println("row " + rs.getString(1) + " " + rs.getDouble(2));
          }
        }
      }
    }
  }
}
`,
    );
    await run('javac', ['-cp', JDBC_JAR, '-d', work, join(work, 'BiClient.java')]);
    const { stdout } = await run('java', [
      '-cp',
      `${work}:${JDBC_JAR}`,
      'BiClient',
      String(platform.pgwirePort),
      platform.adminToken,
    ]);
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      'table indicators TABLE',
      'table observations TABLE',
      'table periods TABLE',
      'table targets TABLE',
      'table unit_tree TABLE',
      'table units TABLE',
      'column value 8 float8',
      'row 304 254.0',
    ]);
  });
});
