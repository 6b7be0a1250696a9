import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { SERVICE_IDENTITY } from '@lgr/kit';
import { freePort, postTo, startTestPlatform, TestPlatform, waitForExit } from '../harness';

/*
 * Requests per second through our gateway, through Hive Gateway over the same subgraphs and the same
 * committed supergraph, and straight to the subgraph that answers, in alternating rounds so that a
 * busy machine slows all three alike. Hive Gateway is installed into a temporary folder at bench time
 * and is never a dependency of the project. Our gateway runs with its limits, authentication and
 * identity forwarding on; Hive Gateway only passes the client's signed identity header on.
 */

/** The Hive Gateway release measured against. */
const HIVE_GATEWAY = '@graphql-hive/gateway@2.15.1';

type Target = 'ours' | 'hive' | 'direct';

interface Query {
  readonly name: string;
  readonly query: string;
  /** The subgraph requests the gateway makes for it, each measured alone as the direct baseline. */
  readonly direct: readonly { service: 'reference' | 'party' | 'analytics'; query: string; variables?: object }[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Resolves the 100 first communes of the demo city (ids for the party subgraph's entity fetch). */
async function queries(platform: TestPlatform): Promise<Query[]> {
  const units = `{ units(parent: "31", level: COMMUNE, asOf: "2025-01-01", first: 100) { edges { node { id code name } } } }`;
  const listed = await platform.gql<{ units: { edges: { node: { id: string } }[] } }>(units);
  if (!listed.data) throw new Error(`units: ${JSON.stringify(listed.errors)}`);
  const ids = listed.data.units.edges.map((e) => e.node.id);
  const aggregate = `{ aggregate(query: { indicators: ["PB_NEW_MEMBERS", "EB_BUDGET_REV"], units: ["31"], level: COMMUNE, periods: ["2025S1"], boundariesAsOf: "2025-01-01", totals: true }) { stale rows { indicator { code } unit { id } period value target achievementPct samePeriodValue samePeriodPct complete coverage { value target yearToDate samePeriod } targetMet total } } }`;
  return [
    {
      name: 'unit(code:"31") { name }',
      query: '{ unit(code: "31") { name } }',
      direct: [{ service: 'reference', query: '{ unit(code: "31") { name } }' }],
    },
    {
      name: `${ids.length} units with their party figures`,
      query: `{ units(parent: "31", level: COMMUNE, asOf: "2025-01-01", first: 100) { edges { node { code name partyFigures { period value target } } } } }`,
      direct: [
        {
          service: 'reference',
          query: `{ units(parent: "31", level: COMMUNE, asOf: "2025-01-01", first: 100) { edges { node { __typename id code name } } } }`,
        },
        {
          service: 'party',
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on AdminUnit { partyFigures { period value target } } } }`,
          variables: { r: ids.map((id) => ({ __typename: 'AdminUnit', id })) },
        },
      ],
    },
    { name: 'a warm aggregate', query: aggregate, direct: [{ service: 'analytics', query: aggregate }] },
  ];
}

/** Installs Hive Gateway into `dir`; undefined with the reason printed when the registry cannot be reached. */
async function installHive(dir: string, log: (line: string) => void): Promise<string | undefined> {
  const bin = join(dir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
  if (existsSync(bin)) return bin;
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', HIVE_GATEWAY],
      { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    log(
      `Hive Gateway could not be installed (${(error as Error).message.split('\n')[0]}); measuring ours and direct only`,
    );
    return undefined;
  }
  if (!existsSync(bin)) {
    log(`Hive Gateway installed without ${bin}; measuring ours and direct only`);
    return undefined;
  }
  return bin;
}

/**
 * Starts Hive Gateway on a free port over the committed supergraph, its routing URLs pointed at this
 * platform's subgraphs, passing the client's identity header on to them.
 */
async function startHive(
  bin: string,
  dir: string,
  platform: TestPlatform,
): Promise<{ url: string; process: ChildProcess; logs: string[] }> {
  const supergraph = readFileSync(
    join(dirname(require.resolve('@lgr/schema/package.json')), 'supergraph.graphql'),
    'utf8',
  );
  const routed = supergraph.replace(
    /@join__graph\(name: "(\w+)", url: "[^"]+"\)/g,
    (_m, name: string) => `@join__graph(name: "${name}", url: "${platform.serviceUrl(name as 'reference')}/graphql")`,
  );
  writeFileSync(join(dir, 'supergraph.graphql'), routed);
  const port = await freePort();
  writeFileSync(
    join(dir, 'gateway.config.mjs'),
    `export const gatewayConfig = {
  supergraph: ${JSON.stringify(join(dir, 'supergraph.graphql'))},
  port: ${port},
  host: '127.0.0.1',
  logging: 'error',
  fork: 1,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ 'x-lgr-identity': request.headers.get('x-lgr-identity') ?? '' }),
  },
};
`,
  );
  // One process, like ours: in production mode it could fork a worker per core.
  const child = spawn(
    process.execPath,
    [bin, 'supergraph', '--fork', '1', '--config-path', join(dir, 'gateway.config.mjs')],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const logs: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (c: Buffer) => logs.push(c.toString()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Hive Gateway exited: ${logs.join('').slice(-2000)}`);
    const up = await fetch(`http://127.0.0.1:${port}/healthcheck`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, process: child, logs };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Hive Gateway did not answer within 60 s: ${logs.join('').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds; 0 where /proc is not there. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return 0;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times, on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/** One round against one target: requests/s, and the CPU the serving process spent per request. */
interface Round {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
}

/**
 * Requests/s of `connections` clients posting `body` to `url` for `seconds`, and the CPU time process
 * `pid` spent per request (less swayed than requests/s by other work on a busy machine); throws on
 * any failed request.
 */
async function rate(
  url: string,
  headers: Record<string, string>,
  body: string,
  seconds: number,
  connections: number,
  pid?: number,
): Promise<Round> {
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    duration: seconds,
  });
  const cpu = cpuMs(pid) - cpuBefore;
  if (result.non2xx || result.errors || result.timeouts)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.average, cpuUsPerRequest: (cpu * 1000) / Math.max(1, result.requests.total) };
}

/** The answer's data, or an error naming the target when it has errors or no data. */
async function answer(label: string, url: string, headers: Record<string, string>, body: object): Promise<unknown> {
  const res = await postTo(url, body, null, headers);
  if (res.status !== 200 || !res.json?.data || res.json.errors)
    throw new Error(`${label} answered HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  return res.json.data;
}

/**
 * Starts a platform with the demo data on free ports, installs and starts Hive Gateway next to it,
 * and prints for each query the median requests/s of ours, Hive Gateway and the subgraph direct over
 * `rounds` alternating rounds, with the ratios.
 */
export async function benchGateway(
  options: { log?: (line: string) => void; seconds?: number; rounds?: number; connections?: number } = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const seconds = options.seconds ?? 5;
  const rounds = options.rounds ?? 3;
  const connections = options.connections ?? 10;
  // BENCH_HIVE_DIR names a folder where an earlier run installed it (kept); else a new temporary one.
  const reuse = process.env.BENCH_HIVE_DIR;
  const dir = reuse ?? mkdtempSync(join(tmpdir(), 'lgr-bench-hive-'));
  const platform = await startTestPlatform({ env: { RATE_LIMIT_PER_MINUTE: '100000000' } });
  let hive: { url: string; process: ChildProcess; logs: string[] } | undefined;
  try {
    const bin = await installHive(dir, log);
    if (bin) hive = await startHive(bin, dir, platform);
    const identity = () => platform.forwardedHeaders({ ...SERVICE_IDENTITY, role: 'admin', sub: 'bench' });
    const ours = { authorization: `Bearer ${platform.adminToken}` };
    log(
      `${connections} connections, ${seconds} s a round, ${rounds} alternating rounds, median requests/s` +
        (hive ? '' : ' (no Hive Gateway)'),
    );
    for (const q of await queries(platform)) {
      const body = JSON.stringify({ query: q.query });
      // The same question must get the same answer from both gateways before its speed means anything.
      const mine = await answer('our gateway', platform.gatewayUrl, ours, { query: q.query });
      if (hive) {
        const theirs = await answer('Hive Gateway', hive.url, await identity(), { query: q.query });
        const [a, b] = [JSON.stringify(mine), JSON.stringify(theirs)];
        if (a !== b) {
          let at = 0;
          while (a[at] === b[at]) at++;
          throw new Error(
            `${q.name}: the gateways answer differently at ${at}: ours ${a.slice(at - 80, at + 80)}, Hive ${b.slice(at - 80, at + 80)}`,
          );
        }
      }
      for (const d of q.direct)
        await answer(d.service, `${platform.serviceUrl(d.service)}/graphql`, await identity(), d);
      // A short round each first, so that no target is measured while it compiles and plans.
      await rate(platform.gatewayUrl, ours, body, 1, connections);
      if (hive) await rate(hive.url, await identity(), body, 1, connections);
      for (const d of q.direct)
        await rate(
          `${platform.serviceUrl(d.service)}/graphql`,
          await identity(),
          JSON.stringify({ query: d.query, variables: d.variables }),
          1,
          connections,
        );
      const seen: Record<Target, number[]> = { ours: [], hive: [], direct: [] };
      const cpu: Record<Target, number[]> = { ours: [], hive: [], direct: [] };
      for (let round = 0; round < rounds; round++) {
        const mineRound = await rate(
          platform.gatewayUrl,
          ours,
          body,
          seconds,
          connections,
          platform.process('gateway')?.pid,
        );
        seen.ours.push(mineRound.rps);
        cpu.ours.push(mineRound.cpuUsPerRequest);
        // The forwarded identity lives a minute: each round signs a fresh one.
        if (hive) {
          const theirs = await rate(hive.url, await identity(), body, seconds, connections, hive.process.pid);
          seen.hive.push(theirs.rps);
          cpu.hive.push(theirs.cpuUsPerRequest);
        }
        // Several subgraph requests answer one federated query: their times add up.
        let perRequestMs = 0;
        let cpuUs = 0;
        for (const d of q.direct) {
          const r = await rate(
            `${platform.serviceUrl(d.service)}/graphql`,
            await identity(),
            JSON.stringify({ query: d.query, variables: d.variables }),
            seconds,
            connections,
            platform.process(d.service)?.pid,
          );
          perRequestMs += 1000 / r.rps;
          cpuUs += r.cpuUsPerRequest;
        }
        seen.direct.push(1000 / perRequestMs);
        cpu.direct.push(cpuUs);
      }
      const m = { ours: median(seen.ours), hive: hive ? median(seen.hive) : NaN, direct: median(seen.direct) };
      const direct = q.direct.length > 1 ? `direct (${q.direct.map((d) => d.service).join(' then ')})` : 'direct';
      log(
        `${q.name}: ours ${m.ours.toFixed(0)}` +
          (hive ? `, Hive Gateway ${m.hive.toFixed(0)}` : '') +
          `, ${direct} ${m.direct.toFixed(0)}` +
          (hive ? ` | ours/Hive ${(m.ours / m.hive).toFixed(2)}x` : '') +
          ` | ours/direct ${(m.ours / m.direct).toFixed(2)}x`,
      );
      log(
        `  CPU per request (us): our gateway ${median(cpu.ours).toFixed(0)}` +
          (hive ? `, Hive Gateway ${median(cpu.hive).toFixed(0)}` : '') +
          `, subgraph(s) direct ${median(cpu.direct).toFixed(0)}` +
          (hive ? ` | Hive/ours ${(median(cpu.hive) / median(cpu.ours)).toFixed(2)}x` : ''),
      );
    }
  } finally {
    if (hive && hive.process.exitCode === null) {
      hive.process.kill('SIGTERM');
      if (!(await waitForExit(hive.process, 10_000))) hive.process.kill('SIGKILL');
    }
    await platform.stop();
    if (!reuse) rmSync(dir, { recursive: true, force: true });
  }
}
