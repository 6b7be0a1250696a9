import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MikroORM, Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { Dialect, migrateStore, MigrationSet, migratorOptions, StoreVersion } from './migrations';
import { explainStoreError } from './store-errors';

export interface DatabaseOptions {
  /** Service name: the SQLite file is `<dataDir>/<name>.sqlite`. */
  readonly name: string;
  readonly entities: Options['entities'];
  readonly dataDir: string;
  /** postgres:// URL; when absent the embedded SQLite store is used. */
  readonly databaseUrl?: string | undefined;
  /** Called with every SQL statement run, e.g. to count statements in tests. */
  readonly onQuery?: (sql: string) => void;
  /** The service's migrations; the store is brought up to the newest at open. */
  readonly migrations: MigrationSet;
}

/** An open store: the ORM, and the version its migrations brought it to. */
export interface OpenDatabase {
  readonly orm: MikroORM;
  readonly store: StoreVersion;
}

/**
 * WAL lets a reader never wait for a writer, and with synchronous=normal a committed transaction
 * survives a crash of the process (only a power loss can lose the last commits); foreign keys are
 * enforced; a writer waits up to five seconds for another instead of failing at once.
 */
const SQLITE_PRAGMAS =
  'pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000; pragma foreign_keys = on;';

/**
 * Opens the service's own database and runs the migrations it has not had yet. The schema is never
 * diffed against the entities at start: a column or table the code does not know is left alone.
 * Refuses a store written by a newer release, and explains a store it may not write, naming it.
 */
export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  const dialect: Dialect = options.databaseUrl ? 'postgresql' : 'sqlite';
  const location = options.databaseUrl
    ? redactUrl(options.databaseUrl)
    : join(resolve(options.dataDir), `${options.name}.sqlite`);
  try {
    if (options.databaseUrl) await ensurePostgresDatabase(options.databaseUrl);
    const orm = await initOrm(options, dialect, location);
    try {
      const store = await migrateStore(orm, {
        service: options.name,
        location,
        migrations: options.migrations,
        dialect,
      });
      return { orm, store };
    } catch (error) {
      await orm.close();
      throw error;
    }
  } catch (error) {
    throw explainStoreError(error, options.name, location);
  }
}

async function initOrm(options: DatabaseOptions, dialect: Dialect, location: string): Promise<MikroORM> {
  const common = {
    entities: options.entities,
    allowGlobalContext: false,
    forceUndefined: false,
    debug: options.onQuery ? (['query'] as const) : false,
    logger: options.onQuery ? (message: string) => options.onQuery!(message) : undefined,
    discovery: { warnWhenNoEntities: false },
    // Created before connecting (ensurePostgresDatabase); a SQLite file is created by opening it.
    ensureDatabase: false,
    ...migratorOptions(options.migrations, dialect),
  };
  if (dialect === 'postgresql') {
    return MikroORM.init({ ...common, driver: PostgreSqlDriver, clientUrl: options.databaseUrl } as Options);
  }
  mkdirSync(dirname(location), { recursive: true });
  return MikroORM.init({
    ...common,
    driver: LibSqlDriver,
    dbName: location,
    // The libsql dialect replaces connections older than ten seconds, and these pragmas belong to
    // a connection, so every new connection sets them again.
    pool: {
      afterCreate: (raw: { exec(sql: string): void }, done: (error: Error | null, raw: unknown) => void) => {
        try {
          raw.exec(SQLITE_PRAGMAS);
          done(null, raw);
        } catch (error) {
          done(error as Error, raw);
        }
      },
    },
  } as Options);
}

/**
 * Creates the service's PostgreSQL database when it is missing, before the ORM connects. Replicas
 * starting together on a new server race to create it, and all but one are told it exists, which is
 * what they wanted. (MikroORM's own ensureDatabase switches the ORM to the management database while
 * it creates one, and stays there when that fails: a replica losing the race would use `postgres`.)
 */
async function ensurePostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const management = new URL(url);
  management.pathname = '/postgres';
  const client = new Client({ connectionString: management.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return;
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    // 42P04: duplicate_database; 23505: the unique index of pg_database, when both create at once.
    const code = (error as { code?: unknown }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

/** A database URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = '';
    return parsed.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/** Whether the ORM talks to PostgreSQL (some SQL differs, e.g. upserts and sums come back as strings). */
export function isPostgres(orm: MikroORM): boolean {
  return orm.config.get('driver') === PostgreSqlDriver;
}
