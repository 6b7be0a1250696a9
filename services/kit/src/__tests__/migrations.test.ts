import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import {
  CreateTablesMigration,
  Dialect,
  dropTestDatabase,
  MigrationSet,
  MIGRATIONS_TABLE,
  openDatabase,
  postgresAvailable,
  StartupError,
  TableDefinition,
  testDatabaseUrl,
} from '..';

const Note = new EntitySchema<{ id: number; text: string }>({
  name: 'Note',
  tableName: 'note',
  properties: { id: { type: 'number', primary: true }, text: { type: 'string' } },
});

const NOTE_TABLES: Record<Dialect, TableDefinition[]> = {
  sqlite: [
    {
      table: 'note',
      statements: ['create table `note` (`id` integer not null primary key autoincrement, `text` text not null);'],
    },
  ],
  postgresql: [
    { table: 'note', statements: ['create table "note" ("id" serial primary key, "text" varchar(255) not null);'] },
  ],
};

class NotesInitialSqlite extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'sqlite';
  protected readonly tables = NOTE_TABLES.sqlite;
}
class NotesInitialPostgresql extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'postgresql';
  protected readonly tables = NOTE_TABLES.postgresql;
}

const NOTES: MigrationSet = {
  sqlite: [{ name: '0001-initial', class: NotesInitialSqlite }],
  postgresql: [{ name: '0001-initial', class: NotesInitialPostgresql }],
};

/** A store as releases before migrations made it: the schema generator's tables, some data, and what an operator added. */
async function legacyStore(options: { dataDir?: string; databaseUrl?: string }): Promise<void> {
  const orm = options.databaseUrl
    ? await MikroORM.init({ driver: PostgreSqlDriver, clientUrl: options.databaseUrl, entities: [Note] })
    : await MikroORM.init({ driver: LibSqlDriver, dbName: join(options.dataDir!, 'notes.sqlite'), entities: [Note] });
  try {
    await orm.schema.ensureDatabase();
    await orm.schema.createSchema();
    const c = orm.em.getConnection();
    await c.execute("insert into note (id, text) values (1, 'written before migrations')");
    await c.execute('alter table note add column reviewer varchar(40)');
    await c.execute("update note set reviewer = 'operator'");
    await c.execute('create table operator_notes (id integer primary key, note text)');
    await c.execute("insert into operator_notes (id, note) values (1, 'kept')");
  } finally {
    await orm.close();
  }
}

async function rows(orm: MikroORM, sql: string): Promise<Record<string, unknown>[]> {
  return (await orm.em.getConnection().execute(sql)) as Record<string, unknown>[];
}

function describeDialect(dialect: Dialect, target: () => { dataDir: string; databaseUrl?: string }) {
  it(`${dialect}: a new store gets the tables and records its version`, async () => {
    const { orm, store } = await openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...target() });
    try {
      expect(store).toEqual({ version: 1, latest: '0001-initial', applied: ['0001-initial'] });
      expect((await rows(orm, `select name from ${MIGRATIONS_TABLE}`)).map((r) => r.name)).toEqual(['0001-initial']);
      await orm.em.fork().insert(Note, { id: 1, text: 'kept' });
      // The migrations make exactly the layout of the entities: nothing left for the generator to add.
      expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    } finally {
      await orm.close();
    }
    const again = await openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...target() });
    try {
      expect(again.store.applied).toEqual([]);
      expect(await again.orm.em.fork().count(Note)).toBe(1);
    } finally {
      await again.orm.close();
    }
  });
}

describe('store migrations on SQLite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kit-migrations-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describeDialect('sqlite', () => ({ dataDir: dir }));

  it('adopts a store written before migrations without touching its data, extra column or extra table', async () => {
    await legacyStore({ dataDir: dir });
    const { orm, store } = await openDatabase({ name: 'notes', entities: [Note], dataDir: dir, migrations: NOTES });
    try {
      expect(store.applied).toEqual(['0001-initial']);
      expect(await rows(orm, 'select id, text, reviewer from note')).toEqual([
        { id: 1, text: 'written before migrations', reviewer: 'operator' },
      ]);
      expect(await rows(orm, 'select note from operator_notes')).toEqual([{ note: 'kept' }]);
    } finally {
      await orm.close();
    }
  });

  it('applies a later migration to a store of an earlier version', async () => {
    await (await openDatabase({ name: 'notes', entities: [Note], dataDir: dir, migrations: NOTES })).orm.close();
    class AddTopic extends CreateTablesMigration {
      protected readonly dialect: Dialect = 'sqlite';
      protected readonly tables = [
        { table: 'topic', statements: ['create table `topic` (`id` integer not null primary key)'] },
      ];
    }
    const newer: MigrationSet = {
      sqlite: [...NOTES.sqlite, { name: '0002-topics', class: AddTopic }],
      postgresql: NOTES.postgresql,
    };
    const { orm, store } = await openDatabase({ name: 'notes', entities: [Note], dataDir: dir, migrations: newer });
    try {
      expect(store).toEqual({ version: 2, latest: '0002-topics', applied: ['0002-topics'] });
      expect(await rows(orm, 'select count(*) as n from topic')).toEqual([{ n: 0 }]);
    } finally {
      await orm.close();
    }
  });

  it('refuses a store written by a newer release, naming the file, and changes nothing', async () => {
    const first = await openDatabase({ name: 'notes', entities: [Note], dataDir: dir, migrations: NOTES });
    await first.orm.em
      .getConnection()
      .execute(`insert into ${MIGRATIONS_TABLE} (name) values ('0002-from-the-future')`);
    await first.orm.close();
    const file = join(dir, 'notes.sqlite');
    const attempt = openDatabase({ name: 'notes', entities: [Note], dataDir: dir, migrations: NOTES });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(
      `The notes store ${file} was written by a newer release: it records migration 0002-from-the-future`,
    );
  });

  it('says which file it cannot write when the data folder is read-only', async () => {
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly);
    makeReadOnly(readOnly);
    try {
      const attempt = openDatabase({ name: 'notes', entities: [Note], dataDir: readOnly, migrations: NOTES });
      await expect(attempt).rejects.toBeInstanceOf(StartupError);
      await expect(attempt).rejects.toThrow(`The notes store ${join(readOnly, 'notes.sqlite')} cannot be written`);
    } finally {
      undoReadOnly(readOnly);
    }
  });
});

describe('store migrations on PostgreSQL', () => {
  let available = false;
  let url: string;
  beforeAll(async () => {
    available = await postgresAvailable();
  });
  beforeEach(() => {
    url = testDatabaseUrl('kit_migrations');
  });
  afterEach(async () => {
    if (available) await dropTestDatabase(url);
  });
  const pg = () => ({ dataDir: tmpdir(), databaseUrl: url });

  it('postgresql: a new store gets the tables and records its version', async () => {
    if (!available) return;
    const { orm, store } = await openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...pg() });
    try {
      expect(store.applied).toEqual(['0001-initial']);
      expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    } finally {
      await orm.close();
    }
  });

  it('adopts a store written before migrations without touching its data, extra column or extra table', async () => {
    if (!available) return;
    await legacyStore({ databaseUrl: url });
    const { orm, store } = await openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...pg() });
    try {
      expect(store.applied).toEqual(['0001-initial']);
      expect(await rows(orm, 'select id, text, reviewer from note')).toEqual([
        { id: 1, text: 'written before migrations', reviewer: 'operator' },
      ]);
      expect(await rows(orm, 'select note from operator_notes')).toEqual([{ note: 'kept' }]);
    } finally {
      await orm.close();
    }
  });

  it('replicas starting together migrate once', async () => {
    if (!available) return;
    const opened = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...pg() })),
    );
    try {
      expect(opened.map((o) => o.store.applied.length).sort()).toEqual([0, 0, 1]);
      // Every replica uses the service's database, also those that lost the race to create it.
      const name = new URL(url).pathname.slice(1);
      for (const o of opened) expect(await rows(o.orm, 'select current_database() as db')).toEqual([{ db: name }]);
      expect(await rows(opened[0]!.orm, `select name from ${MIGRATIONS_TABLE}`)).toEqual([{ name: '0001-initial' }]);
    } finally {
      for (const o of opened) await o.orm.close();
    }
  });

  it('refuses a store written by a newer release, naming the database without credentials', async () => {
    if (!available) return;
    const first = await openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...pg() });
    await first.orm.em
      .getConnection()
      .execute(`insert into ${MIGRATIONS_TABLE} (name) values ('0002-from-the-future')`);
    await first.orm.close();
    const attempt = openDatabase({ name: 'notes', entities: [Note], migrations: NOTES, ...pg() });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `The notes store postgres://127\\.0\\.0\\.1:5432/${new URL(url).pathname.slice(1)} was written by a newer release`,
      ),
    );
  });
});

/**
 * Makes a folder unwritable even for root (the immutable attribute; file modes do not stop root), and
 * proves it, so that the test cannot pass on a folder that was writable after all.
 */
function makeReadOnly(dir: string): void {
  chmodSync(dir, 0o555);
  if (process.getuid?.() === 0) execFileSync('chattr', ['+i', dir]);
  const probe = join(dir, 'probe');
  let writable = true;
  try {
    writeFileSync(probe, 'x');
  } catch {
    writable = false;
  }
  if (writable || existsSync(probe)) throw new Error(`Could not make ${dir} read-only for this test`);
}

function undoReadOnly(dir: string): void {
  if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir]);
  chmodSync(dir, 0o755);
}
