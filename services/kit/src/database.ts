import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MikroORM, Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

export interface DatabaseOptions {
  /** Service name: the SQLite file is `<dataDir>/<name>.sqlite`. */
  readonly name: string;
  readonly entities: Options['entities'];
  readonly dataDir: string;
  /** postgres:// URL; when absent the embedded SQLite store is used. */
  readonly databaseUrl?: string | undefined;
  /** Called with every SQL statement run, e.g. to count statements in tests. */
  readonly onQuery?: (sql: string) => void;
}

/**
 * WAL lets a reader never wait for a writer, and with synchronous=normal a committed transaction
 * survives a crash of the process (only a power loss can lose the last commits); foreign keys are
 * enforced; a writer waits up to five seconds for another instead of failing at once.
 */
const SQLITE_PRAGMAS = 'pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000; pragma foreign_keys = on;';

/**
 * Opens the service's own database and brings its tables up to date with the entities.
 */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  const common = {
    entities: options.entities,
    allowGlobalContext: false,
    forceUndefined: false,
    debug: options.onQuery ? (['query'] as const) : false,
    logger: options.onQuery ? (message: string) => options.onQuery!(message) : undefined,
    discovery: { warnWhenNoEntities: false },
  };
  let orm: MikroORM;
  if (options.databaseUrl) {
    orm = await MikroORM.init({ ...common, driver: PostgreSqlDriver, clientUrl: options.databaseUrl } as Options);
  } else {
    const dir = resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    orm = await MikroORM.init({
      ...common,
      driver: LibSqlDriver,
      dbName: join(dir, `${options.name}.sqlite`),
      // The libsql dialect replaces connections older than ten seconds, and these pragmas belong to
      // a connection, so every new connection sets them again.
      pool: { afterCreate: (raw: { exec(sql: string): void }, done: (error: Error | null, raw: unknown) => void) => {
        try {
          raw.exec(SQLITE_PRAGMAS);
          done(null, raw);
        } catch (error) {
          done(error as Error, raw);
        }
      } },
    } as Options);
  }
  await orm.schema.ensureDatabase();
  await orm.schema.updateSchema();
  return orm;
}

/** Whether the ORM talks to PostgreSQL (some SQL differs, e.g. upserts and sums come back as strings). */
export function isPostgres(orm: MikroORM): boolean {
  return orm.config.get('driver') === PostgreSqlDriver;
}
