import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dropTestDatabase,
  Identity,
  IDENTITY_HEADER,
  postgresAvailable,
  signForwardedIdentity,
  testDatabaseUrl,
} from '@lgr/kit';
import { LineageLink, UnitCatalog, UnitVersion } from '@lgr/schema';

/** The forwarded-identity secret test servers are started with. */
export const TEST_INTERNAL_SECRET = 'observations-test-secret-0123456789abcdef';

export const ADMIN: Identity = { sub: 'test-admin', role: 'admin', units: [] };
export const SERVICE: Identity = { sub: 'test-service', role: 'service', units: [] };
export const editorOf = (...units: string[]): Identity => ({ sub: `editor-${units.join('-')}`, role: 'editor', units });
export const viewerOf = (...units: string[]): Identity => ({ sub: `viewer-${units.join('-')}`, role: 'viewer', units });
export const analystOf = (...units: string[]): Identity => ({
  sub: `analyst-${units.join('-')}`,
  role: 'analyst',
  units,
});

export interface GraphQLAnswer<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Posts a GraphQL operation straight to a subgraph with a forwarded identity, as the gateway would. */
export async function askSubgraph<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  identity: Identity = ADMIN,
  secret: string = TEST_INTERNAL_SECRET,
): Promise<GraphQLAnswer<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signForwardedIdentity(identity, secret) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLAnswer<T>;
}

/** GETs or POSTs an internal route of a subgraph with a forwarded identity. */
export async function callInternal(
  baseUrl: string,
  path: string,
  options: { method?: 'GET' | 'POST'; identity?: Identity; secret?: string } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, baseUrl), {
    method: options.method ?? 'GET',
    headers: {
      [IDENTITY_HEADER]: await signForwardedIdentity(
        options.identity ?? SERVICE,
        options.secret ?? TEST_INTERNAL_SECRET,
      ),
    },
  });
  return { status: res.status, body: await res.json() };
}

let shared: UnitCatalog | undefined;

/**
 * The real unit catalogue, read once per test process with the reference service's loader (passed in
 * by the test, which may import it from the reference workspace).
 */
export function testCatalog(
  load: (dir: string) => { units: UnitVersion[]; links: LineageLink[] },
  dir: string,
): UnitCatalog {
  if (!shared) {
    const { units, links } = load(dir);
    shared = new UnitCatalog(units, links);
  }
  return shared;
}

/** A store to run a suite against: an SQLite file in a fresh directory, or a fresh PostgreSQL database. */
export interface TestStore {
  readonly kind: 'sqlite' | 'postgresql';
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** False when PostgreSQL is not reachable outside CI (with CI=true that is an error instead). */
  readonly available: boolean;
  dispose(): Promise<void>;
}

export async function createTestStore(kind: 'sqlite' | 'postgresql', prefix: string): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), `lgr-${prefix}-`));
  const cleanDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') return { kind, dataDir, available: true, dispose: async () => cleanDir() };
  if (!(await postgresAvailable())) {
    process.stderr.write(
      `PostgreSQL is not reachable: the ${prefix} PostgreSQL tests are skipped (they fail instead with CI=true)\n`,
    );
    return { kind, dataDir, available: false, dispose: async () => cleanDir() };
  }
  const databaseUrl = testDatabaseUrl(prefix.replace(/[^a-z0-9_]/g, '_'));
  return {
    kind,
    dataDir,
    databaseUrl,
    available: true,
    dispose: async () => {
      await dropTestDatabase(databaseUrl);
      cleanDir();
    },
  };
}

/** Counts SQL statements (MikroORM's query log) between `reset()` calls. */
export class StatementCounter {
  statements: string[] = [];
  readonly onQuery = (message: string): void => {
    // MikroORM's query log colours its lines; keep the bare SQL.
    this.statements.push(message.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\[query\] /, ''));
  };
  reset(): void {
    this.statements = [];
  }
  get count(): number {
    return this.statements.length;
  }
}
