import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { dropTestDatabase, IDENTITY_HEADER, postgresAvailable, signForwardedIdentity, testDatabaseUrl } from '@lgr/kit';
import { IngestRow } from '../ingest';
import { entryOf, RoundRobinProxy, ServiceProcess, startRoundRobinProxy, startServiceProcess } from '../replicas';
import { ANALYTICS_DIGEST_SQL, Domain, DOMAINS, FactsSummary, postgresDomainFacts, summarise } from '../stores';
import { eventually } from '../support';

/**
 * Scale out over one PostgreSQL: two replicas of each domain subgraph (each domain's replicas share its
 * database), two analytics replicas (each with its own DuckDB store, reading the feeds through a
 * round-robin proxy over the domain replicas, so consecutive pages come from different replicas), and
 * two gateways behind a round-robin proxy sharing their rate limits in Redis. Editors ingest through
 * both gateways at once while analytics syncs; afterwards both analytics replicas must hold every
 * figure of the stores exactly once. Figure counts are printed before and after.
 */

const JWT_SECRET = 'scale-out-jwt-secret-0123456789abcdef0123456789';
const INTERNAL_SECRET = 'scale-out-internal-secret-0123456789abcdef0123';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Low enough to reach in a test, high enough for every ingest writer (each its own identity). */
const RATE_LIMIT = 40;

let available = false;
let baseUrl: string;
const processes: ServiceProcess[] = [];
const proxies: RoundRobinProxy[] = [];
const dirs: string[] = [];
let analytics: ServiceProcess[] = [];
let domainProxies: Record<Domain, RoundRobinProxy>;
let front: RoundRobinProxy;
let gateways: ServiceProcess[] = [];
const report: string[] = [];
const runId = Math.random().toString(36).slice(2, 8);

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
const common = () => ({ INTERNAL_SECRET, DATA_DIR: tempDir('lgr-scale-') });
const dbFor = (service: string) => `${baseUrl}_${service}`;

async function start(
  name: string,
  packageName: string,
  env: Record<string, string>,
  acceptAnyHealth = false,
): Promise<ServiceProcess> {
  const p = await startServiceProcess(name, entryOf(packageName), env, { acceptAnyHealth });
  processes.push(p);
  return p;
}

beforeAll(async () => {
  available = await postgresAvailable();
  if (!available) return;
  baseUrl = testDatabaseUrl('scale_out');
  const reference = await start('reference', '@lgr/reference', { ...common(), DATABASE_URL: dbFor('reference') });
  // The first replicas of the three domains start at once on new databases, then the second ones:
  // each loads the demo data (the second finds nothing to change). Two waves keep a two-core machine
  // from timing out six catalogue downloads at once; replicas migrating together are tested in kit.
  const replicas: ServiceProcess[] = [];
  for (const i of [1, 2]) {
    replicas.push(
      ...(await Promise.all(
        DOMAINS.map((d) =>
          start(`${d}-${i}`, `@lgr/${d}`, { ...common(), DATABASE_URL: dbFor(d), REFERENCE_URL: reference.url }),
        ),
      )),
    );
  }
  domainProxies = Object.fromEntries(
    await Promise.all(
      DOMAINS.map(
        async (d) =>
          [
            d,
            await startRoundRobinProxy(replicas.filter((r) => r.name.startsWith(`${d}-`)).map((r) => r.url)),
          ] as const,
      ),
    ),
  ) as Record<Domain, RoundRobinProxy>;
  proxies.push(...Object.values(domainProxies));
  const feeds = {
    PARTY_URL: domainProxies.party.url,
    ECONOMY_URL: domainProxies.economy.url,
    SOCIAL_URL: domainProxies.social.url,
  };
  analytics = await Promise.all(
    [1, 2].map((i) =>
      start(`analytics-${i}`, '@lgr/analytics', { ...common(), REFERENCE_URL: reference.url, ...feeds }),
    ),
  );
  const analyticsProxy = await startRoundRobinProxy(analytics.map((a) => a.url));
  proxies.push(analyticsProxy);
  gateways = await Promise.all(
    [1, 2].map((i) =>
      start(
        `gateway-${i}`,
        '@lgr/gateway',
        {
          ...common(),
          JWT_SECRET,
          REFERENCE_URL: reference.url,
          ...feeds,
          ANALYTICS_URL: analyticsProxy.url,
          REDIS_URL,
          RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
        },
        true,
      ),
    ),
  );
  front = await startRoundRobinProxy(gateways.map((g) => g.url));
  proxies.push(front);
}, 600_000);

afterAll(async () => {
  if (report.length) process.stdout.write(`Scale-out figures:\n${report.map((l) => `  ${l}`).join('\n')}\n`);
  for (const p of proxies) await p.close();
  await Promise.all(processes.map((p) => p.stop()));
  if (available) {
    for (const s of ['reference', ...DOMAINS]) await dropTestDatabase(dbFor(s));
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 120_000);

function token(sub: string, role: string, units: string[] = []): Promise<string> {
  return new SignJWT({ role, units })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  bearer: string,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}

/** What one analytics replica holds, asked directly (not through the proxy) with an admin's identity. */
async function replicaSummary(replica: ServiceProcess): Promise<FactsSummary & { duplicates: number }> {
  const headers = {
    'content-type': 'application/json',
    [IDENTITY_HEADER]: await signForwardedIdentity(
      { sub: 'scale-out-admin', role: 'admin', units: [] },
      INTERNAL_SECRET,
    ),
  };
  const run = async (sql: string) => {
    const res = await fetch(`${replica.url}/sql`, { method: 'POST', headers, body: JSON.stringify({ sql }) });
    const body = (await res.json()) as any;
    if (res.status !== 200) throw new Error(`${replica.name} /sql answered ${res.status}: ${JSON.stringify(body)}`);
    return body.rows[0] as [number, string];
  };
  const [values, valuesDigest] = await run(ANALYTICS_DIGEST_SQL('observations', 'value'));
  const [targets, targetsDigest] = await run(ANALYTICS_DIGEST_SQL('targets', 'target'));
  const [duplicates] = await run('select count(*) - count(distinct (indicator, unit_id, period)) from observations');
  return { values, valuesDigest, targets, targetsDigest, duplicates };
}

async function storesSummary(): Promise<FactsSummary> {
  return summarise((await Promise.all(DOMAINS.map((d) => postgresDomainFacts(baseUrl, d)))).flat());
}

/** Waits until every analytics replica has applied every feed up to what the domains hold now. */
async function replicasCaughtUp(): Promise<void> {
  const ends: Record<string, number> = {};
  for (const d of DOMAINS) ends[d] = ((await (await fetch(`${domainProxies[d].url}/health`)).json()) as any).lastSeq;
  for (const replica of analytics) {
    await eventually(
      `${replica.name} to apply every feed to its end`,
      async () => {
        const h = (await (await fetch(`${replica.url}/health`)).json()) as any;
        return (h.sources as { name: string; lastSeq: number }[]).every((s) => s.lastSeq >= ends[s.name]!)
          ? true
          : undefined;
      },
      180_000,
    );
  }
}

const describeCounts = (s: FactsSummary) => `${s.values} values, ${s.targets} targets`;

const pad = (month: number) => String(month).padStart(2, '0');

/** Rows for one writer, for communes of today: its own keys plus keys both writers of the domain write (last one wins). */
function writerRows(domain: Domain, writer: number, batch: number, units: readonly string[]): IngestRow[] {
  const indicator = { party: 'PB_NEW_MEMBERS', economy: 'EB_BUDGET_REV', social: 'SS_JOBS_CREATED' }[domain];
  const rows: IngestRow[] = [];
  for (let i = 0; i < 60; i++) {
    const unit = units[(batch * 60 + i) % units.length]!;
    const k = batch * 60 + i;
    // Months that have started (a value for a future period is refused) and that the communes of
    // today exist in: July-December 2025 belong to writer 1, January-June 2026 to writer 2, and
    // July-October 2026 are written by both.
    const period =
      i < 50 ? (writer === 1 ? `2025${pad(7 + (k % 6))}` : `2026${pad(1 + (k % 6))}`) : `2026${pad(7 + (k % 4))}`;
    rows.push({
      indicator,
      unit,
      period,
      value: writer * 1000 + batch * 60 + i,
    });
  }
  return rows;
}

it('two gateways, two replicas of every domain, two analytics: every figure once in both analytics', async () => {
  if (!available) return;
  await replicasCaughtUp();
  const initial = await storesSummary();
  const beforeReplicas = await Promise.all(analytics.map(replicaSummary));
  report.push(
    `before: stores ${describeCounts(initial)}; ${analytics.map((a, i) => `${a.name} ${describeCounts(beforeReplicas[i]!)}`).join('; ')}`,
  );

  const admin = await token(`scale-admin-${runId}`, 'admin');
  const unitsAnswer = await gql(
    front.url,
    '{ units(parent: "31", level: COMMUNE, asOf: "2026-01-01", first: 200) { edges { node { code } } } }',
    {},
    admin,
  );
  const units: string[] = unitsAnswer.body.data.units.edges.map((e: { node: { code: string } }) => e.node.code);
  expect(units.length).toBeGreaterThan(100);

  // Two editors per domain, each writing 8 batches through the front proxy (alternating gateways),
  // all at once, while both analytics replicas keep polling the feeds.
  const writers = DOMAINS.flatMap((domain) =>
    [1, 2].map(async (writer) => {
      const bearer = await token(`scale-editor-${domain}-${writer}-${runId}`, 'editor', ['31']);
      let written = 0;
      for (let batch = 0; batch < 8; batch++) {
        const answer = await gql(
          front.url,
          `mutation($input: [ObservationInput!]!) { ${domain} { recordObservations(input: $input) { ok inserted updated unchanged errors { index message } } } }`,
          { input: writerRows(domain, writer, batch, units) },
          bearer,
        );
        const payload = answer.body.data?.[domain]?.recordObservations;
        if (!payload?.ok)
          throw new Error(`${domain} writer ${writer} batch ${batch}: ${JSON.stringify(answer.body).slice(0, 400)}`);
        written += payload.inserted + payload.updated;
      }
      return written;
    }),
  );
  const changed = (await Promise.all(writers)).reduce((a, b) => a + b, 0);

  await replicasCaughtUp();
  const final = await storesSummary();
  const afterReplicas = await Promise.all(analytics.map(replicaSummary));
  report.push(
    `ingest: ${DOMAINS.length * 2} writers x 8 batches x 60 rows through ${gateways.length} gateways; ${changed} rows inserted or updated`,
  );
  report.push(
    `after: stores ${describeCounts(final)}; ${analytics.map((a, i) => `${a.name} ${describeCounts(afterReplicas[i]!)}, ${afterReplicas[i]!.duplicates} duplicates`).join('; ')}`,
  );
  report.push(
    `requests per gateway: ${front.served.join(' / ')}; feed and subgraph requests per domain replica: ${DOMAINS.map((d) => `${d} ${domainProxies[d].served.join('/')}`).join(', ')}`,
  );

  expect(final.values).toBeGreaterThan(initial.values);
  for (const summary of afterReplicas) {
    expect(summary).toEqual({ ...final, duplicates: 0 });
  }
  // Both gateways and both replicas of each domain took part.
  for (const p of [front, ...Object.values(domainProxies)]) expect(Math.min(...p.served)).toBeGreaterThan(0);
});

it('rate limits hold across gateway replicas (shared in Redis)', async () => {
  if (!available) return;
  const bearer = await token(`scale-rate-${runId}`, 'viewer', ['31']);
  // 25 requests to each gateway directly: each alone would allow all 25; together they share one budget.
  const statuses = await Promise.all(
    gateways.flatMap((g) =>
      Array.from({ length: 25 }, () => gql(g.url, '{ __typename }', {}, bearer).then((r) => r.status)),
    ),
  );
  const allowed = statuses.filter((s) => s === 200).length;
  const limited = statuses.filter((s) => s === 429).length;
  report.push(
    `rate limit ${RATE_LIMIT}/min shared by ${gateways.length} gateways: ${allowed} of ${statuses.length} allowed, ${limited} refused`,
  );
  expect(allowed + limited).toBe(statuses.length);
  // The bucket holds RATE_LIMIT; the few seconds the requests take refill it by a token or two at most.
  expect(allowed).toBeGreaterThanOrEqual(RATE_LIMIT);
  expect(allowed).toBeLessThanOrEqual(RATE_LIMIT + 3);
});
