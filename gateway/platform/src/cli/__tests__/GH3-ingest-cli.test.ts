import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { jwtVerify } from 'jose';
import { Identity, IDENTITY_HEADER, printSubgraphSdl, signForwardedIdentity, staticCatalog } from '@lgr/kit';
import { buildEconomySchema, start as startEconomy } from '@lgr/economy';
import { buildPartySchema, start as startParty } from '@lgr/party';
import { buildReferenceSchema } from '@lgr/reference';
import { buildSocialSchema, start as startSocial } from '@lgr/social';
import type { RunningDomainService } from '@lgr/observations';
import {
  ADMIN,
  askSubgraph,
  callInternal,
  TEST_INTERNAL_SECRET,
  testCatalog,
  viewerOf,
} from '@lgr/observations/testing/helpers';
import { Domain } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { runIngest } from '../ingest';
import { runCli } from '../program';
import { subgraphTransport, Transport, TransportError } from '../transport';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');
const catalog = () => testCatalog(loadAdminUnits, DEFAULT_UNITS_DIR);

describe('platform CLI against real subgraphs', () => {
  const services = {} as Record<Domain, RunningDomainService>;
  const dirs: string[] = [];
  let work: string;
  let proxy: Server;
  let proxyUrl: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lgr-cli-'));
    const starts = { PARTY: startParty, ECONOMY: startEconomy, SOCIAL: startSocial } as const;
    for (const domain of ['PARTY', 'ECONOMY', 'SOCIAL'] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), `lgr-cli-${domain.toLowerCase()}-`));
      dirs.push(dataDir);
      services[domain] = await starts[domain]({
        port: 0,
        dataDir,
        internalSecret: TEST_INTERNAL_SECRET,
        catalog: staticCatalog(catalog()),
        demoData: false,
        logLevel: 'silent',
      });
    }
    // A stand-in for the gateway (built separately): checks the bearer token and forwards the
    // operation to the subgraph it names, with an admin identity, as the gateway does.
    proxy = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', async () => {
        if (req.headers.authorization !== 'Bearer good-token') {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ errors: [{ message: 'bad token', extensions: { code: 'UNAUTHENTICATED' } }] }));
          return;
        }
        const domain = (['PARTY', 'ECONOMY', 'SOCIAL'] as const).find((d) => body.includes(`${d.toLowerCase()} {`))!;
        const answer = await fetch(services[domain].url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [IDENTITY_HEADER]: await signForwardedIdentity(ADMIN, TEST_INTERNAL_SECRET),
          },
          body,
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    for (const s of Object.values(services)) await s.close();
    for (const d of [...dirs, work]) rmSync(d, { recursive: true, force: true });
  });

  const urls = (): Record<Domain, string> => ({
    PARTY: services.PARTY.url,
    ECONOMY: services.ECONOMY.url,
    SOCIAL: services.SOCIAL.url,
  });

  /** Runs the CLI in-process, its subgraph calls going straight to the test subgraphs as `identity`. */
  const cli = async (args: string[], identity: Identity = ADMIN, transport?: Transport) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
      isTTY: false,
      transport: transport ?? subgraphTransport(urls(), identity, TEST_INTERNAL_SECRET),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const file = (name: string, content: string): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const lastSeqs = async () =>
    Promise.all(
      (['PARTY', 'ECONOMY', 'SOCIAL'] as const).map(
        async (d) => ((await (await fetch(new URL('/health', services[d].url))).json()) as { lastSeq: number }).lastSeq,
      ),
    );
  const figures = async (domain: Domain, unitId: string) =>
    (
      await askSubgraph(
        services[domain].url,
        `{ _entities(representations: [{__typename: "AdminUnit", id: "${unitId}"}]) { ... on AdminUnit { f: ${domain.toLowerCase()}Figures { indicator { code } period value target } } } }`,
      )
    ).data!._entities[0].f;

  /** Rows staged and neither committed nor discarded, in all three subgraphs. */
  const stagedRows = async () => {
    let n = 0;
    for (const service of Object.values(services))
      n += Number(
        (await service.orm.em.fork().getConnection().execute('select count(*) as n from observation_stage'))[0].n,
      );
    return n;
  };

  it('names every bad row by its line, writes nothing and exits non-zero', async () => {
    const bad = file(
      'bad.csv',
      [
        'indicator,unit,period,value,target',
        'PB_NEW_MEMBERS,11335,2024S2,6,',
        'NO_SUCH_INDICATOR,11335,2024S2,1,',
        'PB_NEW_MEMBERS,304,2025S2,2,',
        'PB_NEW_MEMBERS,11335,2025S3,1,',
        'PB_NEW_MEMBERS,11338,2024S2,abc,',
        'EB_BUDGET_REV,11338,2024S2,5,',
        'AR_TTHC_ONTIME_PCT,11338,2024,97,',
        'SS_HOUSEHOLDS,11338,2024S2,1200',
        'PB_NEW_MEMBERS,11335,2024S2,7,',
        '',
      ].join('\n'),
    );
    const before = await lastSeqs();
    const r = await cli(['ingest', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3: indicator: unknown indicator "NO_SUCH_INDICATOR"`);
    expect(r.err).toMatch(new RegExp(`${bad}:4: unit: unit 304 did not exist during 2025S2`));
    expect(r.err).toMatch(new RegExp(`${bad}:5: period: Invalid period "2025S3"`));
    expect(r.err).toMatch(new RegExp(`${bad}:6: value: expected a number .* got "abc"`));
    expect(r.err).toMatch(
      new RegExp(`${bad}:8: value: AR_TTHC_ONTIME_PCT is a ratio computed from AR_TTHC_ONTIME / AR_TTHC_RESOLVED`),
    );
    expect(r.err).toMatch(new RegExp(`${bad}:9: row: expected 5 columns as in the header, got 4`));
    expect(r.err).toMatch(new RegExp(`${bad}:10: row: duplicate of line 2`));
    expect(r.err).not.toMatch(/:2: |:7: /);
    const lines = r.err.split('\n').map((l) => Number(l.slice(bad.length + 1).split(':')[0]));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(r.out).toContain('9 rows read, 0 written (0 inserted, 0 updated), 0 unchanged, 7 rejected; nothing written');
    expect(await lastSeqs()).toEqual(before);
    expect(await figures('PARTY', '11335@2000-01-01')).toEqual([]);
    expect(await figures('ECONOMY', '11338@2000-01-01')).toEqual([]);
  });

  it('writes a good file to each owning subgraph and reports everything unchanged when re-run', async () => {
    const good = file(
      'good.csv',
      'indicator,unit,period,value,target\nPB_NEW_MEMBERS,11335,2024S2,6,\nPB_NEW_MEMBERS,11335,2024,,14\nEB_BUDGET_REV,11335,2024S2,51000.5,\nSS_HOUSEHOLDS,11335,2024S2,3100,\n',
    );
    const first = await cli(['ingest', good]);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toBe(`${good}: 4 rows read, 4 written (4 inserted, 0 updated), 0 unchanged, 0 rejected`);
    expect(await figures('PARTY', '11335@2000-01-01')).toEqual([
      { indicator: { code: 'PB_NEW_MEMBERS' }, period: '2024', value: null, target: 14 },
      { indicator: { code: 'PB_NEW_MEMBERS' }, period: '2024S2', value: 6, target: null },
    ]);
    expect(await figures('ECONOMY', '11335@2000-01-01')).toEqual([
      { indicator: { code: 'EB_BUDGET_REV' }, period: '2024S2', value: 51000.5, target: null },
    ]);
    expect(await figures('SOCIAL', '11335@2000-01-01')).toEqual([
      { indicator: { code: 'SS_HOUSEHOLDS' }, period: '2024S2', value: 3100, target: null },
    ]);
    const seqs = await lastSeqs();
    const second = await cli(['ingest', good]);
    expect(second.code).toBe(0);
    expect(second.out).toBe(`${good}: 4 rows read, 0 written (0 inserted, 0 updated), 4 unchanged, 0 rejected`);
    expect(await lastSeqs()).toEqual(seqs);
    const changed = file(
      'changed.csv',
      'indicator,unit,period,value,target\nPB_NEW_MEMBERS,11335,2024S2,8,\nSS_HOUSEHOLDS,11335,2024S2,3100,\n',
    );
    expect((await cli(['ingest', changed])).out).toContain(
      '2 rows read, 1 written (0 inserted, 1 updated), 1 unchanged, 0 rejected',
    );
  });

  it('with --skip-invalid writes the good rows and the bad ones, with their reasons, to a rejects file', async () => {
    const mixed = file(
      'mixed.csv',
      'indicator,unit,period,value,target\nPB_MEMBERS_TOTAL,11338,2024S1,410,\nPB_MEMBERS_TOTAL,11338,2024S3,1,\nDF_MIL_RECRUITS,11338,2024S1,x,\nDF_MIL_RECRUITS,11338,2024S1,3,\n',
    );
    const r = await cli(['ingest', mixed, '--skip-invalid']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${mixed}:3: period:`);
    expect(r.err).toContain(`${mixed}:4: value:`);
    const rejectsFile = join(work, 'mixed.rejects.csv');
    expect(r.out).toBe(
      `${mixed}: 4 rows read, 2 written (2 inserted, 0 updated), 0 unchanged, 2 rejected; rejected rows written to ${rejectsFile}`,
    );
    const rejects = readFileSync(rejectsFile, 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('indicator,unit,period,value,target,error');
    expect(rejects.slice(1)).toEqual([
      expect.stringMatching(/^PB_MEMBERS_TOTAL,11338,2024S3,1,,"?line 3: period: Invalid period ""?2024S3/),
      expect.stringMatching(/^DF_MIL_RECRUITS,11338,2024S1,x,,"?line 4: value: expected a number/),
    ]);
    expect(await figures('PARTY', '11338@2000-01-01')).toEqual([
      { indicator: { code: 'PB_MEMBERS_TOTAL' }, period: '2024S1', value: 410, target: null },
    ]);
    expect(await figures('SOCIAL', '11338@2000-01-01')).toEqual([
      { indicator: { code: 'DF_MIL_RECRUITS' }, period: '2024S1', value: 3, target: null },
    ]);
  });

  it('with --skip-invalid stages a batch again without its bad rows, and commits the rest', async () => {
    const mixed = file(
      'mixed-writes.csv',
      'indicator,unit,period,value,target\nPB_BADGES,11338,2022S1,4,\nPB_BADGES,99999,2022S1,1,\nPB_BADGES,11338,2022S2,5,\n',
    );
    const calls: string[] = [];
    const direct = subgraphTransport(urls(), ADMIN, TEST_INTERNAL_SECRET);
    const counting: Transport = (domain, query, variables) => {
      calls.push(/^mutation (\w+)/.exec(query)![1]!);
      return direct(domain, query, variables);
    };
    const r = await cli(['ingest', mixed, '--skip-invalid'], ADMIN, counting);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(new RegExp(`^${mixed}:3: unit: unit 99999 matches no administrative unit`));
    expect(r.out).toContain('3 rows read, 2 written (2 inserted, 0 updated), 0 unchanged, 1 rejected');
    // The batch was refused whole once, then staged without its bad row, then committed.
    expect(calls).toEqual(['Stage', 'Stage', 'Commit']);
  });

  it('asks a commit again when its answer is lost, and counts the rows once', async () => {
    const rows = manyRows(['PB_INSPECTIONS'], 30);
    const lost = file('lost-answer.csv', ['indicator,unit,period,value,target', ...rows].join('\n'));
    const direct = subgraphTransport(urls(), ADMIN, TEST_INTERNAL_SECRET);
    const commits: string[] = [];
    // The first commit runs, but its answer never arrives (as when a commit outlasts the gateway's
    // subgraph timeout).
    const losing: Transport = async (domain, query, variables) => {
      const answer = await direct(domain, query, variables);
      if (query.startsWith('mutation Commit')) {
        commits.push(domain);
        if (commits.length === 1) throw new TransportError('the connection was reset');
      }
      return answer;
    };
    const seq = await lastSeqs();
    const err: string[] = [];
    const out: string[] = [];
    const r = await runIngest({ file: lost, transport: losing, out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(r.exitCode).toBe(0);
    expect(commits).toEqual(['PARTY', 'PARTY']);
    expect(err).toEqual([expect.stringMatching(/the party commit did not answer .*asking again \(retry 1 of 10\)/)]);
    expect(r.summary).toMatchObject({ read: rows.length, inserted: rows.length, updated: 0, unchanged: 0 });
    // One feed entry per row: the second commit wrote nothing.
    expect((await lastSeqs())[0]! - seq[0]!).toBe(rows.length);
  });

  it('an interrupted run sends no further batch, discards what was staged and writes nothing', async () => {
    const rows = manyRows(['PB_DISCIPLINE_ORGS'], 60);
    const interrupted = file('interrupted.csv', ['indicator,unit,period,value,target', ...rows].join('\n'));
    const interrupt = new AbortController();
    const batches: number[] = [];
    const seq = await lastSeqs();
    const err: string[] = [];
    const out: string[] = [];
    const r = await runIngest({
      file: interrupted,
      transport: subgraphTransport(urls(), ADMIN, TEST_INTERNAL_SECRET),
      batchSize: 100,
      signal: interrupt.signal,
      onBatch: (e) => {
        batches.push(e.rows);
        if (batches.length === 2) interrupt.abort();
      },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect(r.exitCode).toBe(1);
    expect(batches).toEqual([100, 100]);
    expect(err).toEqual([`${interrupted}: interrupted before anything was written`]);
    expect(out[0]).toContain('aborted; nothing written');
    expect(await stagedRows()).toBe(0);
    expect(await lastSeqs()).toEqual(seq);
  });

  it('reads JSON lines and names the line of each bad record', async () => {
    const jsonl = file(
      'rows.jsonl',
      [
        JSON.stringify({ indicator: 'PB_BADGES', unit: '11341', period: '2023S2', value: 12 }),
        '',
        JSON.stringify({ indicator: 'PB_BADGES', unit: '11341', period: '2023S1', value: 'many' }),
        '{"indicator": "PB_BADGES", "unit": ',
        JSON.stringify({ indicator: 'PB_BADGES', unit: '11329@2025-07-01', period: '2023S1', value: 2 }),
      ].join('\n'),
    );
    const r = await cli(['ingest', jsonl]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${jsonl}:3: value: expected a number`)),
      expect.stringMatching(new RegExp(`^${jsonl}:4: row: not a JSON object`)),
      expect.stringMatching(
        new RegExp(`^${jsonl}:5: unit: unit version 11329@2025-07-01 .* was not valid on any day of 2023S1`),
      ),
    ]);
    const skipped = await cli(['ingest', jsonl, '--skip-invalid', '--rejects', join(work, 'bad-rows.jsonl')]);
    expect(skipped.out).toContain('4 rows read, 1 written (1 inserted, 0 updated), 0 unchanged, 3 rejected');
    const rejects = readFileSync(join(work, 'bad-rows.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects).toHaveLength(3);
    expect(rejects[0]).toMatchObject({
      indicator: 'PB_BADGES',
      value: 'many',
      error: expect.stringContaining('line 3: value'),
    });
    expect(rejects[1]).toMatchObject({
      raw: '{"indicator": "PB_BADGES", "unit": ',
      error: expect.stringContaining('line 4'),
    });
  });

  it('sends large files in batches to the owning subgraph', async () => {
    const communes = catalog().children(catalog().resolve('311', '2025-06-30')!.id);
    const rows = ['indicator,unit,period,value,target'];
    for (const [i, c] of communes.entries()) {
      for (let y = 2010; y < 2020; y++)
        for (const h of [1, 2]) rows.push(`PB_MEMBERS_TOTAL,${c.code},${y}S${h},${100 + i},`);
    }
    expect(rows.length - 1).toBe(communes.length * 20);
    const big = file('big.csv', `${rows.join('\n')}\n`);
    const calls: { domain: Domain; operation: string; rows: number }[] = [];
    const direct = subgraphTransport(urls(), ADMIN, TEST_INTERNAL_SECRET);
    const counting: Transport = (domain, query, variables) => {
      calls.push({
        domain,
        operation: /^mutation (\w+)/.exec(query)![1]!,
        rows: (variables.columns as { indicator: unknown[] } | undefined)?.indicator.length ?? 0,
      });
      return direct(domain, query, variables);
    };
    const r = await cli(['ingest', big, '--batch-size', '150'], ADMIN, counting);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${communes.length * 20} rows read, ${communes.length * 20} written`);
    // The file crosses the network once, in batches, and one commit writes it.
    const batches = Math.ceil((communes.length * 20) / 150);
    expect(calls.filter((c) => c.operation === 'Stage')).toHaveLength(batches);
    expect(calls.reduce((n, c) => n + c.rows, 0)).toBe(communes.length * 20);
    expect(calls.filter((c) => c.operation !== 'Stage')).toEqual([{ domain: 'PARTY', operation: 'Commit', rows: 0 }]);
    expect(Math.max(...calls.map((c) => c.rows))).toBe(150);
    expect(calls.every((c) => c.domain === 'PARTY')).toBe(true);
  });

  /** Distinct party figures of `count` communes that existed through 2010-2019, for its semesters. */
  const manyRows = (indicators: readonly string[], count: number): string[] => {
    const communes = catalog()
      .validOn('2019-12-31', 'COMMUNE')
      .filter((u) => u.validFrom <= '2010-01-01')
      .slice(0, count);
    const rows: string[] = [];
    for (const indicator of indicators)
      for (let y = 2010; y < 2020; y++)
        for (const h of [1, 2])
          for (const [i, c] of communes.entries())
            rows.push(`${indicator},${c.code},${y}S${h},${1 + ((i * 31 + y) % 97)},`);
    return rows;
  };

  it('streams a file many batches long: batches go out while it is read, a far repeat is found', async () => {
    const rows = manyRows(['PB_BADGES'], 150);
    expect(rows.length).toBe(3000);
    const header = 'indicator,unit,period,value,target';
    const repeat = file('stream-repeat.csv', [header, ...rows, rows[0]!.replace(/,\d+,$/, ',5,')].join('\n'));
    const events: { rows: number; rowsRead: number }[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const ingest = (path: string) =>
      runIngest({
        file: path,
        transport: subgraphTransport(urls(), ADMIN, TEST_INTERNAL_SECRET),
        batchSize: 200,
        onBatch: (e) => events.push(e),
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
    const refused = await ingest(repeat);
    expect(refused.exitCode).toBe(1);
    expect(err).toEqual([`${repeat}:${rows.length + 2}: row: duplicate of line 2: same indicator, unit and period`]);
    // Staging started long before the end of the file: rows are sent in batches while it is read.
    expect(events[0]!.rowsRead).toBeLessThan(rows.length / 4);
    expect(Math.max(...events.map((e) => e.rows))).toBe(200);
    expect(events.reduce((n, e) => n + e.rows, 0)).toBe(rows.length);
    // The refused file's staged rows were discarded, and none was written.
    expect(await stagedRows()).toBe(0);
    const firstUnit = await figures('PARTY', catalog().resolve(rows[0]!.split(',')[1]!, '2010-06-30')!.id);
    expect(firstUnit.filter((f: { indicator: { code: string } }) => f.indicator.code === 'PB_BADGES')).toEqual([]);

    const good = file('stream.csv', [header, ...rows].join('\n'));
    events.length = 0;
    const first = await ingest(good);
    expect(first.summary).toMatchObject({ read: rows.length, inserted: rows.length, rejected: 0 });
    expect(events).toHaveLength(Math.ceil(rows.length / 200));
    expect(events[0]!.rowsRead).toBeLessThan(rows.length / 4);
    expect(await stagedRows()).toBe(0);
    const again = await ingest(good);
    expect(again.summary).toMatchObject({ read: rows.length, written: 0, unchanged: rows.length });
  });

  it('tells a repeated key from distinct keys that share a hash', async () => {
    // A hash with a handful of values: almost every row shares its hash with an earlier, distinct one.
    const weakHash = (key: string) => (key.length % 5) + 1;
    const rows = manyRows(['PB_DISCIPLINE_MEMBERS', 'PB_DISCIPLINE_ORGS'], 40);
    const header = 'indicator,unit,period,value,target';
    const events: { rows: number }[] = [];
    const err: string[] = [];
    const ingest = (path: string) =>
      runIngest({
        file: path,
        transport: subgraphTransport(urls(), ADMIN, TEST_INTERNAL_SECRET),
        batchSize: 300,
        hashKey: weakHash,
        onBatch: (e) => events.push(e),
        out: () => undefined,
        err: (l) => err.push(l),
      });
    const repeat = file('weak-hash-repeat.csv', [header, ...rows, rows[1000]!].join('\n'));
    const refused = await ingest(repeat);
    expect(refused.exitCode).toBe(1);
    expect(err).toEqual([`${repeat}:${rows.length + 2}: row: duplicate of line 1002: same indicator, unit and period`]);
    // Every other row was still checked (and staged) by its subgraph, once.
    expect(events.reduce((n, e) => n + e.rows, 0)).toBe(rows.length);

    const good = file('weak-hash.csv', [header, ...rows].join('\n'));
    const written = await ingest(good);
    expect(written.summary).toMatchObject({ read: rows.length, inserted: rows.length, rejected: 0 });
    expect(written.exitCode).toBe(0);
  });

  it('stops with the reason when the caller may not write', async () => {
    const r = await cli(['ingest', join(work, 'good.csv')], viewerOf('304'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('FORBIDDEN');
    expect(r.err).toContain('editor or admin');
    const outOfScope = file(
      'scope.csv',
      'indicator,unit,period,value,target\nPB_BADGES,11338,2022S1,1,\nPB_BADGES,11311,2022S1,1,\n',
    );
    const editor = await cli(['ingest', outOfScope], { sub: 'e', role: 'editor', units: ['304'] });
    expect(editor.code).toBe(1);
    expect(editor.err).toMatch(new RegExp(`^${outOfScope}:3: unit: you may not write figures for unit 11311`));
  });

  it('runs as a program through a gateway URL with a token, as npm run ingest does', async () => {
    const bad = join(work, 'bad.csv');
    const env = { ...process.env, PLATFORM_URL: proxyUrl, PLATFORM_TOKEN: 'good-token' };
    const failed = await run(process.execPath, [CLI, 'ingest', bad], { env }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(`${bad}:3: indicator:`);
    const good = join(work, 'good-2.csv');
    writeFileSync(good, 'indicator,unit,period,value,target\nPB_NEW_MEMBERS,11341,2024S2,6,\n');
    const first = await run(process.execPath, [CLI, 'ingest', good], { env });
    expect(first.stdout).toContain('1 written (1 inserted, 0 updated), 0 unchanged');
    const again = await run(process.execPath, [CLI, 'ingest', good, '--gateway', proxyUrl, '--token', 'good-token'], {
      env: { ...process.env },
    });
    expect(again.stdout).toContain('0 written (0 inserted, 0 updated), 1 unchanged');
    const refused = await run(process.execPath, [CLI, 'ingest', good], {
      env: { ...env, PLATFORM_TOKEN: 'bad-token' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('UNAUTHENTICATED') });
  });

  it("ingests the README's example files, and names the bad rows of its example with errors", async () => {
    const examples = join(dirname(require.resolve('@lgr/observations/package.json')), 'examples');
    const csv = await cli(['ingest', join(examples, 'figures-2026q3.csv')]);
    expect(csv).toMatchObject({ code: 0, err: '' });
    expect(csv.out).toContain('7 rows read, 7 written (7 inserted, 0 updated), 0 unchanged, 0 rejected');
    const jsonl = await cli(['ingest', join(examples, 'figures-2026q3.jsonl')]);
    expect(jsonl.out).toContain('7 rows read, 0 written (0 inserted, 0 updated), 7 unchanged, 0 rejected');
    const file = join(examples, 'with-errors.csv');
    const bad = await cli(['ingest', file]);
    expect(bad.code).toBe(1);
    expect(
      bad.err.split('\n').map((l) =>
        l
          .slice(file.length + 1)
          .split(':')
          .slice(0, 2)
          .join(':'),
      ),
    ).toEqual(['3: indicator', '4: unit', '5: period', '6: value', '7: value', '8: target']);
  });

  it('the three domain subgraphs, built in one process, compose with the reference subgraph', async () => {
    const subgraphs = [
      { name: 'reference', build: buildReferenceSchema },
      { name: 'party', build: buildPartySchema },
      { name: 'economy', build: buildEconomySchema },
      { name: 'social', build: buildSocialSchema },
    ];
    const printed = await Promise.all(
      subgraphs.map(async (s) => ({
        name: s.name,
        url: `http://${s.name}/graphql`,
        typeDefs: parse(printSubgraphSdl(await s.build())),
      })),
    );
    const result = composeServices(printed);
    expect(result.errors?.map((e) => e.message)).toBeUndefined();
    const supergraph = result.supergraphSdl!;
    for (const field of [
      'partyFigures',
      'economyFigures',
      'socialFigures',
      'partyOrganisations',
      'budgetEstimates',
      'recruitmentQuotas',
    ]) {
      expect(supergraph).toContain(`${field}(`);
    }
    const mutation = /type Mutation[^{]*\{([^}]*)\}/.exec(supergraph)![1]!;
    for (const ns of ['party: PartyMutation', 'economy: EconomyMutation', 'social: SocialMutation'])
      expect(mutation).toMatch(new RegExp(`${ns}(?!!)`));
  });

  it('mints tokens with JWT_SECRET or the development secret', async () => {
    const secret = 'cli-test-jwt-secret-0123456789abcdef0123';
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`ERR ${l}`), isTTY: false };
    expect(
      await runCli(['token', '--role', 'editor', '--units', '304,305', '--sub', 'lan', '--ttl', '2h'], {
        ...io,
        env: { JWT_SECRET: secret, JWT_ISSUER: 'lgr', JWT_AUDIENCE: 'lgr-gateway' },
      }),
    ).toBe(0);
    const { payload } = await jwtVerify(out[0]!, new TextEncoder().encode(secret), {
      issuer: 'lgr',
      audience: 'lgr-gateway',
    });
    expect(payload).toMatchObject({ sub: 'lan', role: 'editor', units: ['304', '305'] });
    expect(payload.exp! - payload.iat!).toBe(7200);

    const dataDir = mkdtempSync(join(tmpdir(), 'lgr-cli-secrets-'));
    dirs.push(dataDir);
    writeFileSync(
      join(dataDir, 'dev-secrets.json'),
      JSON.stringify({ jwtSecret: secret, internalSecret: TEST_INTERNAL_SECRET }),
    );
    out.length = 0;
    expect(await runCli(['token'], { ...io, env: { DATA_DIR: dataDir } })).toBe(0);
    expect((await jwtVerify(out[0]!, new TextEncoder().encode(secret))).payload).toMatchObject({
      role: 'admin',
      units: [],
      sub: 'dev',
    });
    out.length = 0;
    expect(await runCli(['token', '--units', '30A', '--ttl', 'soon'], { ...io, env: { JWT_SECRET: secret } })).toBe(2);
    expect(out).toEqual([expect.stringContaining('--units'), expect.stringContaining('--ttl')]);
  });

  it('loads the demo data into the three subgraphs with a service identity', async () => {
    const out: string[] = [];
    const env = {
      INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PARTY_URL: new URL('/', services.PARTY.url).toString(),
      ECONOMY_URL: new URL('/', services.ECONOMY.url).toString(),
      SOCIAL_URL: services.SOCIAL.url,
    };
    const code = await runCli(['seed'], {
      out: (l) => out.push(l),
      err: (l) => out.push(`ERR ${l}`),
      env,
      isTTY: false,
    });
    expect(out).toHaveLength(3);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^party: report figures 8 rows \(8 inserted, 0 updated, 0 unchanged\); synthetic figures \d+ rows .*\[SYNTHETIC: .*\]; records: partyOrganisations \d+/,
    );
    expect(out[1]).toMatch(/^economy: report figures 6 rows .*budgetEstimates \d+/);
    expect(out[2]).toMatch(/^social: report figures 3 rows .*recruitmentQuotas \d+/);
    const feed = await callInternal(new URL('/', services.PARTY.url).toString(), '/internal/feed?after=0&limit=1');
    expect(feed.body.hasMore).toBe(true);
    const wrongSecret = await runCli(['seed'], {
      out: (l) => out.push(l),
      err: (l) => out.push(`ERR ${l}`),
      env: { ...env, INTERNAL_SECRET: 'x'.repeat(40) },
      isTTY: false,
    });
    expect(wrongSecret).toBe(1);
    expect(out.slice(3)).toEqual([
      expect.stringMatching(/^ERR party: failed: HTTP 401/),
      expect.stringMatching(/^ERR economy: failed: HTTP 401/),
      expect.stringMatching(/^ERR social: failed: HTTP 401/),
    ]);
  });
});
