import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropTestDatabase, MigrationSet, openDatabase, postgresAvailable, testDatabaseUrl } from '@lgr/kit';
import { OBSERVATION_ENTITIES } from '@lgr/observations';
import { ECONOMY_ENTITIES, ECONOMY_MIGRATIONS } from '@lgr/economy';
import { PARTY_ENTITIES, PARTY_MIGRATIONS } from '@lgr/party';
import { ENTITIES as REFERENCE_ENTITIES, REFERENCE_MIGRATIONS } from '@lgr/reference';
import { SOCIAL_ENTITIES, SOCIAL_MIGRATIONS } from '@lgr/social';

/**
 * Every service's committed migrations build exactly the tables its entities describe, in SQLite and
 * in PostgreSQL: on a store migrated from nothing, the schema generator finds nothing to add, change
 * or drop. An entity changed without a migration fails here.
 */
const SERVICES: { name: string; entities: unknown[]; migrations: MigrationSet }[] = [
  { name: 'reference', entities: REFERENCE_ENTITIES, migrations: REFERENCE_MIGRATIONS },
  { name: 'party', entities: [...OBSERVATION_ENTITIES, ...PARTY_ENTITIES], migrations: PARTY_MIGRATIONS },
  { name: 'economy', entities: [...OBSERVATION_ENTITIES, ...ECONOMY_ENTITIES], migrations: ECONOMY_MIGRATIONS },
  { name: 'social', entities: [...OBSERVATION_ENTITIES, ...SOCIAL_ENTITIES], migrations: SOCIAL_MIGRATIONS },
];

async function differences(orm: Awaited<ReturnType<typeof openDatabase>>['orm']): Promise<string> {
  return (await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim();
}

describe.each(SERVICES)('$name store migrations', ({ name, entities, migrations }) => {
  it('have the same names in both dialects', () => {
    expect(migrations.postgresql.map((m) => m.name)).toEqual(migrations.sqlite.map((m) => m.name));
  });

  it('make exactly the tables of the entities on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), `lgr-migrations-${name}-`));
    const { orm, store } = await openDatabase({ name, entities: entities as never, dataDir: dir, migrations });
    try {
      expect(store.applied).toEqual(migrations.sqlite.map((m) => m.name));
      expect(await differences(orm)).toBe('');
    } finally {
      await orm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('make exactly the tables of the entities on PostgreSQL', async () => {
    if (!(await postgresAvailable())) return;
    const url = testDatabaseUrl(`migrations_${name}`);
    const { orm, store } = await openDatabase({
      name,
      entities: entities as never,
      dataDir: tmpdir(),
      databaseUrl: url,
      migrations,
    });
    try {
      expect(store.applied).toEqual(migrations.postgresql.map((m) => m.name));
      expect(await differences(orm)).toBe('');
    } finally {
      await orm.close();
      await dropTestDatabase(url);
    }
  });
});
