import { Constructor, MikroORM } from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { StartupError } from './startup-error';

/** The SQL dialects a store can be kept in; each has its own migration files. */
export type Dialect = 'sqlite' | 'postgresql';

/** One migration of a service's store: its stable name (what the database records) and its class. */
export interface NamedMigration {
  readonly name: string;
  readonly class: Constructor<Migration>;
}

/**
 * A service's migrations in the order they run, one list per dialect. Both lists carry the same names
 * in the same order: the store version means the same layout in either dialect.
 */
export type MigrationSet = Readonly<Record<Dialect, readonly NamedMigration[]>>;

/** A table and the statements that create it with its indexes and constraints. */
export interface TableDefinition {
  readonly table: string;
  readonly statements: readonly string[];
}

/** The table in which every store records the migrations applied to it (MikroORM's default name). */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/** What a store holds after {@link migrateStore}: how many migrations and the last one's name. */
export interface StoreVersion {
  readonly version: number;
  readonly latest: string | null;
  /** Migrations applied by this call (empty when the store was up to date). */
  readonly applied: readonly string[];
}

/**
 * A migration that creates tables only where they are missing. The first migration of every service
 * is one: a store written by a release before migrations already holds these tables (made by the
 * schema generator with the same layout), and adopting it must not touch its data, nor any column or
 * table an operator added.
 */
export abstract class CreateTablesMigration extends Migration {
  protected abstract readonly dialect: Dialect;
  protected abstract readonly tables: readonly TableDefinition[];

  override async up(): Promise<void> {
    for (const definition of this.tables) {
      if (await this.tableExists(definition.table)) continue;
      for (const sql of definition.statements) this.addSql(sql);
    }
  }

  private async tableExists(table: string): Promise<boolean> {
    const sql =
      this.dialect === 'sqlite'
        ? "select name from sqlite_master where type = 'table' and name = ?"
        : 'select table_name from information_schema.tables where table_schema = current_schema() and table_name = ?';
    const rows = (await this.execute(sql, [table])) as unknown[];
    return rows.length > 0;
  }
}

/** The MikroORM options that register the migrator with a service's migrations of one dialect. */
export function migratorOptions(migrations: MigrationSet, dialect: Dialect) {
  return {
    extensions: [Migrator],
    migrations: {
      tableName: MIGRATIONS_TABLE,
      migrationsList: migrations[dialect].map((m) => ({ name: m.name, class: m.class })),
      // Nothing is written next to the code at run time (the install may be read-only).
      snapshot: false,
      silent: true,
      transactional: true,
      allOrNothing: true,
    },
  };
}

/** Names applied to a store that the code does not know: the store was written by a newer release. */
export function unknownMigrations(applied: readonly string[], known: readonly NamedMigration[]): string[] {
  const names = new Set(known.map((m) => m.name));
  return applied.filter((name) => !names.has(name));
}

/**
 * The lock every replica of a service takes on PostgreSQL while it migrates, so that replicas starting
 * together apply each migration once (advisory locks are per database: one per service).
 */
const MIGRATION_LOCK_KEY = 7_310_442_100;

export interface MigrateOptions {
  /** Service name, for messages. */
  readonly service: string;
  /** The file or database, for messages (no credentials). */
  readonly location: string;
  readonly migrations: MigrationSet;
  readonly dialect: Dialect;
}

/**
 * Brings a store up to the code's version by running the migrations it has not yet had, all in one
 * transaction (on PostgreSQL under a lock shared by every replica). Refuses, changing nothing, a store
 * that records a migration the code does not know: it was written by a newer release.
 */
export async function migrateStore(orm: MikroORM, options: MigrateOptions): Promise<StoreVersion> {
  const migrator = orm.getMigrator<Migrator>();
  const known = options.migrations[options.dialect];
  const run = async (transaction?: unknown): Promise<string[]> => {
    const executed = (await migrator.getExecutedMigrations()).map((row) => row.name);
    refuseNewer(executed, known, options);
    const done = await migrator.up(transaction ? { transaction: transaction as never } : undefined);
    return done.map((m) => m.name);
  };
  let applied: string[];
  if (options.dialect === 'postgresql') {
    const connection = orm.em.getConnection();
    applied = await connection.transactional(async (trx) => {
      await connection.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY], 'all', trx);
      return run(trx);
    });
  } else {
    applied = await run();
  }
  return { version: known.length, latest: known.length ? known[known.length - 1]!.name : null, applied };
}

function refuseNewer(executed: readonly string[], known: readonly NamedMigration[], options: MigrateOptions): void {
  const unknown = unknownMigrations(executed, known);
  if (!unknown.length) return;
  const latest = known.length ? known[known.length - 1]!.name : 'none';
  throw new StartupError(
    `The ${options.service} store ${options.location} was written by a newer release: it records migration ` +
      `${unknown.join(', ')}, which this release does not know (its latest is ${latest}). Nothing was changed. ` +
      'Run the release that wrote it, or restore the backup taken before the upgrade.',
  );
}
