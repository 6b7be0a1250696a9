import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatTable, registerSqlCommand, sqlEndpoint } from '../sql';

/** Stands in for the gateway's /sql route: checks the token and answers like analytics does. */
function fakePlatform(): Promise<{ server: Server; url: string; requests: { auth?: string; body: any }[] }> {
  const requests: { auth?: string; body: any }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      requests.push({ auth: req.headers.authorization, body });
      if (req.url !== '/sql' || req.headers.authorization !== 'Bearer good-token') {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [
              { message: 'SQL is for analysts and admins; your role is viewer', extensions: { code: 'FORBIDDEN' } },
            ],
          }),
        );
      } else if (/COPY/i.test(body.sql)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [
              {
                message: 'COPY statements are not allowed; only a single SELECT over the views ... is',
                extensions: { code: 'SQL_REJECTED' },
              },
            ],
          }),
        );
      } else if (body.format === 'csv') {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'x-result-truncated': 'false' });
        res.end('unit_code,value\r\n304,254\r\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            columns: [
              { name: 'unit_name', type: 'VARCHAR' },
              { name: 'value', type: 'DOUBLE' },
            ],
            rows: [
              ['Ngô Quyền', 254],
              ['Máy Chai', null],
            ],
            rowCount: 2,
            truncated: false,
          }),
        );
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, requests }),
    ),
  );
}

describe('npm run sql', () => {
  let platform: Awaited<ReturnType<typeof fakePlatform>>;
  const dir = mkdtempSync(join(tmpdir(), 'lgr-sql-cli-'));
  let out: string[];
  let err: string[];

  beforeAll(async () => {
    platform = await fakePlatform();
  });

  afterAll(async () => {
    await new Promise((r) => platform.server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  });

  afterEach(() => jest.restoreAllMocks());

  async function cli(args: string[], env: Record<string, string> = {}): Promise<number> {
    const program = new Command()
      .exitOverride()
      .configureOutput({ writeErr: (s) => err.push(s), writeOut: (s) => out.push(s) });
    registerSqlCommand(program, { PLATFORM_URL: platform.url, ...env });
    try {
      await program.parseAsync(['node', 'lgr', 'sql', ...args]);
      return 0;
    } catch (error) {
      return (error as { exitCode?: number }).exitCode ?? 99;
    }
  }

  it('posts the query with the bearer token to /sql on the platform host and prints a table', async () => {
    expect(await cli(['SELECT unit_name, value FROM observations', '--token', 'good-token'])).toBe(0);
    expect(platform.requests.at(-1)).toEqual({
      auth: 'Bearer good-token',
      body: { sql: 'SELECT unit_name, value FROM observations', format: 'json' },
    });
    expect(out.join('')).toBe(
      ['unit_name | value', '----------+------', 'Ngô Quyền |   254', 'Máy Chai  |  NULL', '(2 rows)', ''].join('\n'),
    );
  });

  it('takes the token from PLATFORM_TOKEN and writes CSV to a file', async () => {
    const file = join(dir, 'out.csv');
    expect(await cli(['SELECT 1', '--format', 'csv', '--out', file], { PLATFORM_TOKEN: 'good-token' })).toBe(0);
    expect(platform.requests.at(-1)!.body.format).toBe('csv');
    expect(readFileSync(file, 'utf8')).toBe('unit_code,value\r\n304,254\r\n');
    expect(err.join('')).toBe(`Wrote ${file}\n`);
  });

  it('prints JSON when asked', async () => {
    expect(await cli(['SELECT 1', '--format', 'json', '--token', 'good-token'])).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ rowCount: 2, truncated: false });
  });

  it('shows the refusal and exits with 1', async () => {
    expect(await cli(["COPY observations TO 'x'", '--token', 'good-token'])).toBe(1);
    expect(err.join('')).toContain('SQL_REJECTED: COPY statements are not allowed');
    expect(await cli(['SELECT 1', '--token', 'viewer-token'])).toBe(1);
    expect(err.join('')).toContain('FORBIDDEN: SQL is for analysts and admins');
  });

  it('asks for a token when there is none', async () => {
    expect(await cli(['SELECT 1'])).toBe(2);
    expect(err.join('')).toMatch(/No token: pass --token <jwt> or set PLATFORM_TOKEN/);
  });

  it('refuses an unknown format', async () => {
    expect(await cli(['SELECT 1', '--format', 'xml', '--token', 'good-token'])).not.toBe(0);
    expect(err.join('')).toMatch(/Allowed choices are table, csv, json/);
  });

  it('derives /sql from the gateway URL', () => {
    expect(sqlEndpoint('http://127.0.0.1:4000/graphql')).toBe('http://127.0.0.1:4000/sql');
  });

  it('marks a cut-off answer under the table', () => {
    expect(formatTable({ columns: [{ name: 'n', type: 'BIGINT' }], rows: [[1]], rowCount: 1, truncated: true })).toBe(
      'n\n-\n1\n(1 row; cut off at 1, ask for fewer rows)\n',
    );
  });
});
