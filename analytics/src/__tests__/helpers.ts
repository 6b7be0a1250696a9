import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, IDENTITY_HEADER, signForwardedIdentity, staticCatalog } from '@lgr/kit';
import { start as startEconomy } from '@lgr/economy';
import type { RunningDomainService } from '@lgr/observations';
import { start as startParty } from '@lgr/party';
import { start as startSocial } from '@lgr/social';
import { UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import type { FeedChange } from '../store';
import { AnalyticsServer, start } from '..';

export const SECRET = 'analytics-test-secret-0123456789abcdef0123';

let cached: UnitCatalog | undefined;

/** The real administrative units (63 provinces, 696 districts, 10,035 + 3,321 communes, lineage). */
export function realCatalog(): UnitCatalog {
  if (!cached) {
    const { units, links } = loadAdminUnits(DEFAULT_UNITS_DIR);
    cached = new UnitCatalog(units, links);
  }
  return cached;
}

export const OLD = '2000-01-01';
export const NEW = '2025-07-01';
/** Unit version ids used in tests. */
export const U = {
  haiPhong: `31@${OLD}`,
  ngoQuyen: `304@${OLD}`,
  leChan: `305@${OLD}`,
  mayChai: `11329@${OLD}`,
  vanMy: `11335@${OLD}`,
  newNgoQuyenWard: `11329@${NEW}`,
} as const;

export function identity(role: Identity['role'], units: string[] = []): Identity {
  return { sub: `${role}-${units.join('-') || 'all'}`, role, units };
}

let seq = 0;

/** A feed change with the next sequence number of this test file. */
export function change(
  indicator: string,
  unitId: string,
  period: string,
  value: number | null,
  target: number | null = null,
): FeedChange {
  seq += 1;
  return { seq, indicator, unitId, period, value, target, updatedAt: '2025-07-15T08:00:00Z' };
}

/** A fresh directory for one test file's data. */
export function tempDir(prefix = 'lgr-analytics-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface GraphQLAnswer<T = any> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** Posts a GraphQL operation to a subgraph with a forwarded identity, as the gateway does. */
export async function ask<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  who: Identity = identity('admin'),
): Promise<GraphQLAnswer<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signForwardedIdentity(who, SECRET) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLAnswer<T>;
}

/** Posts JSON to an HTTP route of a subgraph with a forwarded identity. */
export async function postJson(url: string, body: unknown, who?: Identity): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(who ? { [IDENTITY_HEADER]: await signForwardedIdentity(who, SECRET) } : {}),
    },
    body: JSON.stringify(body),
  });
}

export type DomainName = 'party' | 'economy' | 'social';

const STARTERS = { party: startParty, economy: startEconomy, social: startSocial };

/** Starts a real domain subgraph (no demo data) on a free port, or on `port` to bring one back. */
export function startDomain(name: DomainName, dataDir: string, port = 0): Promise<RunningDomainService> {
  return STARTERS[name]({
    port,
    dataDir,
    internalSecret: SECRET,
    catalog: staticCatalog(realCatalog()),
    demoData: false,
    logLevel: 'silent',
  });
}

/**
 * Starts analytics on a free port over an in-memory store and the real unit catalogue, following the
 * feeds of `domains`, and waits until it has caught up with them.
 */
export async function startAnalytics(
  dataDir: string,
  domains: Partial<Record<DomainName, RunningDomainService>>,
  options: Partial<Parameters<typeof start>[0]> = {},
): Promise<AnalyticsServer> {
  const analytics = await start({
    port: 0,
    dataDir,
    databasePath: ':memory:',
    internalSecret: SECRET,
    catalog: staticCatalog(realCatalog()),
    feeds: (Object.keys(domains) as DomainName[]).map((name) => ({ name, url: rootOf(domains[name]!.url) })),
    syncIntervalMs: 50,
    logLevel: 'silent',
    ...options,
  });
  await analytics.caughtUp();
  return analytics;
}

/** The root URL of a subgraph (where its feed lives), from its GraphQL URL. */
export function rootOf(url: string): string {
  return url.replace(/\/graphql$/, '');
}

export interface FigureInput {
  indicator: string;
  unit: string;
  period: string;
  value?: number | null;
  target?: number | null;
}

/** Records figures in a domain subgraph through its GraphQL mutation, as an editor would. */
export async function record(domain: RunningDomainService, name: DomainName, rows: FigureInput[]): Promise<void> {
  const answer = await ask(
    domain.url,
    `mutation($input: [ObservationInput!]!) { ${name} { recordObservations(input: $input) { ok errors { index field message } } } }`,
    { input: rows },
  );
  const result = answer.data?.[name]?.recordObservations;
  if (!result?.ok) throw new Error(`recording figures failed: ${JSON.stringify(answer.errors ?? result?.errors)}`);
}

/** Waits until `check` holds, polling every 20 ms, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
