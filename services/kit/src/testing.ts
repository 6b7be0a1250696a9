import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Where tests find PostgreSQL: `TEST_PG_URL`, else the machine's server on 127.0.0.1:5432. */
export function testPostgresServerUrl(env: Record<string, string | undefined> = process.env): string {
  return env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
}

/**
 * Whether PostgreSQL answers. With `CI=true` an unreachable server is an error, not a reason to skip:
 * CI must prove the PostgreSQL path, so it fails loudly instead.
 */
export async function postgresAvailable(env: Record<string, string | undefined> = process.env): Promise<boolean> {
  const client = new Client({
    connectionString: `${testPostgresServerUrl(env)}/postgres`,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (env.CI === 'true') {
      throw new Error(
        `CI=true but PostgreSQL at ${testPostgresServerUrl(env)} is unreachable: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh, uniquely named database URL for one test file; `dropTestDatabase` removes it afterwards. */
export function testDatabaseUrl(prefix: string, env: Record<string, string | undefined> = process.env): string {
  return `${testPostgresServerUrl(env)}/lgr_test_${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^lgr_test_[a-z0-9_]+$/.test(name)) throw new Error(`Refusing to drop "${name}": not a test database`);
  const client = new Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
