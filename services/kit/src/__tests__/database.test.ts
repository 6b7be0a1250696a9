import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { CreateTablesMigration, Dialect, openDatabase } from '..';

const Note = new EntitySchema<{ id: number; text: string }>({
  name: 'Note',
  properties: { id: { type: 'number', primary: true }, text: { type: 'string' } },
});

class NotesInitial extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'sqlite';
  protected readonly tables = [
    { table: 'note', statements: ['create table `note` (`id` integer not null primary key, `text` text not null)'] },
  ];
}

describe('openDatabase on SQLite', () => {
  let dir: string;
  let orm: MikroORM;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-db-'));
    ({ orm } = await openDatabase({
      name: 'notes',
      entities: [Note],
      dataDir: dir,
      migrations: { sqlite: [{ name: '0001-initial', class: NotesInitial }], postgresql: [] },
    }));
  });

  afterAll(async () => {
    await orm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the tables and runs in WAL mode with the pragmas on every connection', async () => {
    const conn = orm.em.getConnection();
    expect(await conn.execute('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await conn.execute('pragma synchronous')).toEqual([{ synchronous: 1 }]);
    expect(await conn.execute('pragma busy_timeout')).toEqual([{ timeout: 5000 }]);
    await orm.em.fork().insert(Note, { id: 1, text: 'kept' });
    expect(await orm.em.fork().count(Note)).toBe(1);
  });
});
