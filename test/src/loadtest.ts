import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { startTestPlatform, TestPlatform } from './harness';

/**
 * The load test (`npm run loadtest`): a realistic dashboard mix against the gateway on loopback with
 * autocannon, for LOADTEST_SECONDS (default 60) and at most LOADTEST_MAX_REQUESTS requests.
 *
 * Without PLATFORM_URL it starts a whole platform of real processes (as `npm start` does, on free
 * ports and a fresh data directory with the demo data) and stops it afterwards. With PLATFORM_URL
 * (the gateway's /graphql) it loads a running platform: PLATFORM_TOKEN is used as is, or, when
 * JWT_SECRET is given too, one token is minted per simulated user.
 *
 * Many users are simulated (each request carries one of LOADTEST_USERS identities) so that the
 * per-identity rate limit is not what is measured. Exits non-zero on any transport error, timeout,
 * non-2xx answer or GraphQL error in an answer.
 */

interface Options {
  readonly seconds: number;
  readonly maxRequests: number;
  readonly connections: number;
  readonly users: number;
}

interface Target {
  readonly url: string;
  readonly tokenFor: (user: number, role: string, units: string[]) => Promise<string>;
  /** Resident memory in bytes of each process we can see, by name. */
  readonly memory: () => Promise<Record<string, number>>;
  /** What the analytics service's cache of answers holds and has served, when its /health can be reached. */
  readonly analyticsCache: () => Promise<Record<string, number> | undefined>;
  readonly stop: () => Promise<void>;
}

interface Operation {
  readonly kind: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** Who asks: a viewer or analyst of Hải Phòng, or an admin. */
  readonly role: 'viewer' | 'analyst' | 'admin';
}

function options(env: NodeJS.ProcessEnv): Options {
  const int = (name: string, fallback: number) => {
    const n = Number(env[name] ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got ${env[name]}`);
    return n;
  };
  return {
    seconds: int('LOADTEST_SECONDS', 60),
    maxRequests: int('LOADTEST_MAX_REQUESTS', 2_000_000),
    connections: int('LOADTEST_CONNECTIONS', 16),
    users: int('LOADTEST_USERS', 40),
  };
}

function rssOfPid(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function gatewayRss(baseUrl: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const match = /^process_resident_memory_bytes(?:\{[^}]*\})? (\d+)/m.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function ownPlatform(): Promise<Target> {
  process.stdout.write('Starting a platform (separate processes, demo data, free ports)...\n');
  const platform: TestPlatform = await startTestPlatform();
  const names = ['gateway', 'reference', 'party', 'economy', 'social', 'analytics'];
  return {
    url: platform.gatewayUrl,
    tokenFor: (user, role, units) => platform.token(role, units, { sub: `loadtest-user-${user}` }),
    memory: async () =>
      Object.fromEntries(
        names.flatMap((n) => {
          const rss = rssOfPid(platform.process(n)?.pid);
          return rss === undefined ? [] : [[n, rss]];
        }),
      ),
    analyticsCache: () => analyticsCache(platform.serviceUrl('analytics')),
    stop: () => platform.stop(),
  };
}

async function analyticsCache(baseUrl: string): Promise<Record<string, number> | undefined> {
  try {
    return ((await (await fetch(`${baseUrl}/health`)).json()) as { cache?: Record<string, number> }).cache;
  } catch {
    return undefined;
  }
}

function runningPlatform(url: string, env: NodeJS.ProcessEnv): Target {
  const secret = env.JWT_SECRET;
  const token = env.PLATFORM_TOKEN;
  if (!secret && !token)
    throw new Error(
      'PLATFORM_URL needs PLATFORM_TOKEN (an admin token) or JWT_SECRET (to mint one token per simulated user)',
    );
  if (!secret)
    process.stdout.write(
      'Only PLATFORM_TOKEN given: every request carries the same identity, so RATE_LIMIT_PER_MINUTE of the gateway applies to all of them.\n',
    );
  const base = url.replace(/\/graphql$/, '');
  return {
    url,
    tokenFor: async (user, role, units) =>
      secret
        ? new SignJWT({ role, units })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject(`loadtest-user-${user}`)
            .setIssuedAt()
            .setExpirationTime('2h')
            .sign(new TextEncoder().encode(secret))
        : token!,
    memory: async (): Promise<Record<string, number>> => {
      const rss = await gatewayRss(base);
      return rss === undefined ? {} : { gateway: rss };
    },
    // The analytics service is not reachable from outside a running platform.
    analyticsCache: async () => undefined,
    stop: async () => undefined,
  };
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (res.status !== 200 || body.errors)
    throw new Error(`HTTP ${res.status} for ${query.slice(0, 80)}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

/**
 * What dashboards ask: headline figures of a unit for a period, breakdowns by level, one indicator for
 * every commune of the city, unit and catalogue lookups, and a unit's recorded figures.
 */
function dashboardMix(districts: string[]): Operation[] {
  const periods = ['2024', '2024S1', '2024S2', '2025S1', '2024Q4', '2025Q1'];
  const headline = [
    'PB_NEW_MEMBERS',
    'EB_BUDGET_REV',
    'SS_POOR_RATE',
    'SS_HI_COVERAGE_PCT',
    'DF_MIL_RECRUITS',
    'EB_NONSTATE_TAX',
  ];
  const ops: Operation[] = [];
  const rows =
    '{ rows { indicator { code } unit { code name } period value target achievementPct samePeriodValue samePeriodPct complete } }';
  districts.forEach((district, i) => {
    const period = periods[i % periods.length]!;
    ops.push({
      kind: 'aggregate: a unit and a period',
      role: 'viewer',
      query: `query Headline($q: AggregateQuery!) { aggregate(query: $q) ${rows} }`,
      variables: {
        q: {
          indicators: headline.slice(i % 3, (i % 3) + 3),
          units: [district],
          periods: [period],
          boundariesAsOf: '2024-12-31',
        },
      },
    });
    ops.push({
      kind: 'aggregate: a unit, its communes',
      role: 'viewer',
      query: `query Breakdown($q: AggregateQuery!) { aggregate(query: $q) ${rows} }`,
      variables: {
        q: {
          indicators: [headline[i % headline.length]!],
          units: [district],
          periods: [period],
          level: 'COMMUNE',
          boundariesAsOf: '2024-12-31',
        },
      },
    });
    ops.push({
      kind: 'reference: a unit and its children',
      role: 'viewer',
      query:
        'query Unit($code: String!) { unit(code: $code, asOf: "2024-12-31") { id name fullName level parent { code name } children { code name kind } } }',
      variables: { code: district },
    });
    ops.push({
      kind: 'figures: a unit in every domain',
      role: i % 4 === 0 ? 'admin' : 'viewer',
      query:
        'query Figures($code: String!, $p: String!) { unit(code: $code, asOf: "2024-12-31") { name partyFigures(period: $p) { indicator { code } value target } economyFigures(period: $p) { indicator { code } value target } socialFigures(period: $p) { indicator { code } value target } } }',
      variables: { code: district, p: period },
    });
  });
  for (const [i, period] of periods.entries()) {
    ops.push({
      kind: 'aggregate: the city by district',
      role: i % 2 ? 'analyst' : 'viewer',
      query: `query ByDistrict($q: AggregateQuery!) { aggregate(query: $q) ${rows} }`,
      variables: {
        q: {
          indicators: headline.slice(0, 2),
          units: ['31'],
          periods: [period],
          level: 'DISTRICT',
          boundariesAsOf: '2024-12-31',
        },
      },
    });
    ops.push({
      kind: 'AdminUnit.indicator: every commune',
      role: 'viewer',
      query:
        'query Map($code: String!, $p: String!) { units(parent: "31", level: COMMUNE, asOf: "2024-12-31", first: 250) { totalCount edges { node { code name indicator(code: $code, period: $p) { value target achievementPct } } } } }',
      variables: { code: headline[i % headline.length]!, p: period },
    });
    ops.push({
      kind: 'aggregate: terms',
      role: 'analyst',
      query: `query Terms($q: AggregateQuery!) { aggregate(query: $q) ${rows} }`,
      variables: {
        q: {
          indicators: [headline[i % headline.length]!],
          units: ['31'],
          from: '2015S2',
          to: '2025S1',
          grain: 'TERM',
          boundariesAsOf: '2024-12-31',
        },
      },
    });
    ops.push({
      kind: 'reference: catalogue',
      role: 'viewer',
      query: 'query Catalogue { indicators { code nameVi nameEn domain rule targetGrain } terms { code start end } }',
      variables: {},
    });
  }
  return ops;
}

/** A Fisher-Yates shuffle with a fixed-seed generator (mulberry32), so every run sends the same sequence. */
function shuffle<T>(items: T[], seed = 20250705): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);

async function main(): Promise<number> {
  const opts = options(process.env);
  const target = process.env.PLATFORM_URL
    ? runningPlatform(process.env.PLATFORM_URL, process.env)
    : await ownPlatform();
  try {
    const admin = await target.tokenFor(0, 'admin', []);
    const found = await post(
      target.url,
      admin,
      '{ units(parent: "31", level: DISTRICT, asOf: "2024-12-31", first: 50) { edges { node { code } } } }',
    );
    const districts: string[] = found.units.edges.map((e: { node: { code: string } }) => e.node.code);
    if (!districts.length) throw new Error('No districts of Hải Phòng (31) found: is the demo data loaded?');
    const mix = dashboardMix(districts);

    // Every operation is asked once first: a mix that errors would only measure its errors.
    for (const op of mix) await post(target.url, admin, op.query, op.variables);

    const tokens = await Promise.all(
      Array.from({ length: opts.users }, async (_, u) => ({
        viewer: await target.tokenFor(u + 1, 'viewer', ['31']),
        analyst: await target.tokenFor(u + 1, 'analyst', ['31']),
        admin: await target.tokenFor(u + 1, 'admin', []),
      })),
    );
    const graphqlErrors: Record<string, number> = {};
    /** Latency by kind of operation, from building the request to its answer (includes queueing in the client). */
    const byKind: Record<string, number[]> = {};
    const answered: Record<string, number> = {};
    const path = new URL(target.url).pathname;
    // Every (user, operation) pair, in a fixed shuffled order that all connections draw from in turn,
    // so that consecutive requests come from different users and ask different things.
    const schedule = shuffle(
      tokens.flatMap((t) =>
        mix.map((op) => ({
          kind: op.kind,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t[op.role]}` },
          body: JSON.stringify({ query: op.query, variables: op.variables }),
        })),
      ),
    );
    let next = 0;
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path,
        setupRequest: (request: autocannon.Request, context: object) => {
          const item = schedule[next++ % schedule.length]!;
          // One request at a time per connection, so the context describes the request in flight.
          Object.assign(context, { kind: item.kind, sentAt: performance.now() });
          return { ...request, headers: item.headers, body: item.body };
        },
        onResponse: (status: number, body: string, context: object) => {
          const { kind, sentAt } = context as { kind: string; sentAt: number };
          answered[kind] = (answered[kind] ?? 0) + 1;
          (byKind[kind] ??= []).push(performance.now() - sentAt);
          if (status === 200 && body.includes('"errors"')) graphqlErrors[kind] = (graphqlErrors[kind] ?? 0) + 1;
        },
      },
    ];

    const memoryBefore = await target.memory();
    const loadBefore = loadavg()[0]!;
    process.stdout.write(
      `Load: ${opts.seconds} s (at most ${opts.maxRequests} requests), ${opts.connections} connections, ${opts.users} users, ${mix.length} distinct operations in ${new Set(mix.map((m) => m.kind)).size} kinds, against ${target.url}\n`,
    );
    const latencies: number[] = [];
    const started = Date.now();
    // Without a callback autocannon returns an event emitter that is also a promise of the result.
    const instance = autocannon({
      url: target.url,
      connections: opts.connections,
      duration: opts.seconds,
      maxOverallRequests: opts.maxRequests,
      timeout: 30,
      requests,
    }) as unknown as EventEmitter & PromiseLike<autocannon.Result>;
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
      latencies.push(responseTime),
    );
    const result = await instance;
    const elapsed = (Date.now() - started) / 1000;
    const memoryAfter = await target.memory();
    const cache = await target.analyticsCache();

    latencies.sort((a, b) => a - b);
    const errors =
      result.errors + result.timeouts + result.non2xx + Object.values(graphqlErrors).reduce((a, b) => a + b, 0);
    const lines = [
      '',
      `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM (${(freemem() / 2 ** 30).toFixed(1)} GB free), Node ${process.version}; load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (other work on the machine slows every figure)`,
      `requests: ${result.requests.total} in ${elapsed.toFixed(1)} s = ${(result.requests.total / elapsed).toFixed(1)} req/s (autocannon average ${result.requests.average.toFixed(1)} req/s), ${(result.throughput.total / 2 ** 20).toFixed(1)} MB received`,
      `latency: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1) ?? '-'} ms`,
      `errors: ${result.errors} transport, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${Object.values(graphqlErrors).reduce((a, b) => a + b, 0)} answers with GraphQL errors`,
      'answers by kind (count, p50 / p95 ms):',
      ...Object.entries(answered)
        .sort()
        .map(([kind, n]) => {
          const sorted = (byKind[kind] ?? []).sort((a, b) => a - b);
          return `  ${kind.padEnd(36)} ${String(n).padStart(7)}  ${percentile(sorted, 50).toFixed(0).padStart(6)} / ${percentile(sorted, 95).toFixed(0).padStart(6)}${graphqlErrors[kind] ? `  (${graphqlErrors[kind]} with errors)` : ''}`;
        }),
      'memory (RSS) before -> after:',
      ...Object.keys({ ...memoryBefore, ...memoryAfter }).map(
        (name) => `  ${name.padEnd(10)} ${mb(memoryBefore[name]).padStart(7)} -> ${mb(memoryAfter[name]).padStart(7)}`,
      ),
      ...(cache
        ? [
            `analytics cache: ${cache.entries} answers kept (${mb(cache.bytes)}), ${cache.hits} served from it, ${cache.misses} computed, ${cache.shared} waited for the same computation, ${cache.evictions} dropped`,
          ]
        : []),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    process.stdout.write(
      `${JSON.stringify({
        seconds: elapsed,
        requests: result.requests.total,
        rps: result.requests.total / elapsed,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        graphqlErrors,
        memoryBefore,
        memoryAfter,
        ...(cache ? { analyticsCache: cache } : {}),
      })}\n`,
    );
    if (errors) process.stderr.write(`FAILED: ${errors} errors\n`);
    return errors ? 1 : 0;
  } finally {
    await target.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`The load test could not run: ${error.message}\n`);
    process.exit(2);
  },
);
