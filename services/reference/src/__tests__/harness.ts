import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { dropTestDatabase, IDENTITY_HEADER, Role, signForwardedIdentity, testDatabaseUrl } from '@lgr/kit';
import { ReferenceOptions, ReferenceServer, start } from '..';

export const SECRET = 'reference-test-secret-0123456789abcdef0123456789';

/**
 * Whether the PostgreSQL half of the suites can run. Jest cannot skip a `describe` on the result of a
 * promise, so kit's `postgresAvailable` runs in a short child process; with CI=true it throws, and so
 * does this, which fails the test file instead of skipping.
 */
function checkPostgres(): boolean {
  const script = `require(${JSON.stringify(require.resolve('@lgr/kit'))}).postgresAvailable().then((ok) => process.exit(ok ? 0 : 3), (e) => { process.stderr.write(e.message); process.exit(4); })`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: process.env, timeout: 60_000 });
  if (result.status === 0) return true;
  if (result.status === 3) {
    console.warn(
      'PostgreSQL is unreachable and CI is not "true": the PostgreSQL half of the reference tests is skipped',
    );
    return false;
  }
  throw new Error(`PostgreSQL check failed: ${result.stderr || result.error?.message || `exit ${result.status}`}`);
}

/** A place to keep one suite's data: a temporary directory, and a fresh PostgreSQL database for PG. */
export interface Store {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  createStore(): Store;
}

const sqlite: Backend = {
  name: 'SQLite',
  createStore: () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lgr-reference-'));
    return { dataDir, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  createStore: () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lgr-reference-'));
    const databaseUrl = testDatabaseUrl('reference');
    return {
      dataDir,
      databaseUrl,
      dispose: async () => {
        rmSync(dataDir, { recursive: true, force: true });
        await dropTestDatabase(databaseUrl);
      },
    };
  },
};

/** The backends every suite runs on: SQLite always, PostgreSQL when it answers (always under CI). */
export const BACKENDS: Backend[] = checkPostgres() ? [sqlite, postgres] : [sqlite];

/** The SQL of one MikroORM query log line, without colours, the `[query]` tag and the timing. */
export function statementOf(message: string): string {
  return message
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/^\[query\]\s*/, '')
    .replace(/\s*\[took [^\]]*\]\s*$/, '')
    .trim();
}

/** A started reference service with helpers to query it as any role, counting SQL statements. */
export interface Harness {
  readonly server: ReferenceServer;
  readonly base: string;
  /** Every SQL statement logged since the last `resetStatements()`. */
  readonly statements: string[];
  resetStatements(): void;
  gql<T = any>(query: string, variables?: Record<string, unknown>, role?: Role): Promise<GqlResult<T>>;
  get(path: string, role?: Role, headers?: Record<string, string>): Promise<Response>;
  em(): SqlEntityManager;
}

export interface GqlResult<T> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: { message: string; extensions: Record<string, unknown> }[];
}

export async function identityHeader(role: Role): Promise<Record<string, string>> {
  return {
    [IDENTITY_HEADER]: await signForwardedIdentity(
      { sub: `test-${role}`, role, units: role === 'viewer' ? ['304'] : [] },
      SECRET,
    ),
  };
}

export async function startHarness(store: Store, options: Partial<ReferenceOptions> = {}): Promise<Harness> {
  const statements: string[] = [];
  const server = await start({
    port: 0,
    host: '127.0.0.1',
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl,
    internalSecret: SECRET,
    logLevel: 'silent',
    onQuery: (message) => statements.push(statementOf(message)),
    ...options,
  });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    server,
    base,
    statements,
    resetStatements: () => {
      statements.length = 0;
    },
    gql: async (query, variables = {}, role = 'viewer') => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await identityHeader(role)) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    get: async (path, role, headers = {}) =>
      fetch(`${base}${path}`, { headers: { ...(role ? await identityHeader(role) : {}), ...headers } }),
    em: () => server.orm.em.fork() as SqlEntityManager,
  };
}

/** The data of a successful GraphQL answer; fails the test with the errors otherwise. */
export function dataOf<T>(result: GqlResult<T>): T {
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}
