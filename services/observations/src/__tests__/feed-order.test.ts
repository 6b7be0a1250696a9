import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/core';
import {
  CreateTablesMigration,
  Dialect,
  dropTestDatabase,
  openDatabase,
  postgresAvailable,
  testDatabaseUrl,
} from '@lgr/kit';
import type { FeedChange } from '@lgr/schema';
import { OBSERVATION_ENTITIES, OBSERVATION_TABLES_V1, readFeed, upsertObservations, ValidRow } from '..';

class ObservationTables extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'postgresql';
  protected readonly tables = OBSERVATION_TABLES_V1.postgresql;
}

const row = (unit: string, value: number): ValidRow => ({
  index: 0,
  indicator: 'PB_NEW_MEMBERS',
  unitId: `${unit}@2000-01-01`,
  period: '2025S1',
  value,
  target: null,
});

/** Resolves when `check` says so, polling the database (no sleeping for a guessed time). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Two writers whose feed rows are numbered in one order and would commit in the other: the first
 * appends its feed rows and stays open; the second writes other keys meanwhile. A reader following
 * the feed with a cursor (`seq > cursor`) must still receive every row exactly once.
 */
describe('change feed under concurrent writers on PostgreSQL', () => {
  let available = false;
  let url: string;
  let orm: MikroORM;

  beforeAll(async () => {
    available = await postgresAvailable();
    if (!available) return;
    url = testDatabaseUrl('feed_order');
    ({ orm } = await openDatabase({
      name: 'party',
      entities: OBSERVATION_ENTITIES as never,
      dataDir: tmpdir(),
      databaseUrl: url,
      migrations: { sqlite: [], postgresql: [{ name: '0001-initial', class: ObservationTables }] },
    }));
  });

  afterAll(async () => {
    if (!available) return;
    await orm.close();
    await dropTestDatabase(url);
  });

  it('never lets a reader move its cursor past a row that commits later', async () => {
    if (!available) return;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((r) => (firstWrote = r));
    const first = orm.em.fork().transactional(async (tx) => {
      const result = await upsertObservations(tx, [row('11329', 1), row('11335', 2)]);
      firstWrote();
      await gate;
      return result;
    });
    await wrote;
    let secondDone = false;
    const second = orm.em
      .fork()
      .transactional((tx) => upsertObservations(tx, [row('11338', 3), row('11341', 4)]))
      .finally(() => (secondDone = true));
    const conn = orm.em.getConnection();
    const waitingForLock = async () =>
      Number(
        (
          (await conn.execute("select count(*) as n from pg_locks where locktype = 'advisory' and not granted")) as {
            n: string;
          }[]
        )[0]!.n,
      ) > 0;
    // Either the second writer now waits for the first (numbered in commit order) or it has committed.
    await until(async () => secondDone || (await waitingForLock()));

    const received: FeedChange[] = [];
    let cursor = 0;
    const follow = async () => {
      const page = await readFeed(orm.em.fork(), cursor, 100);
      received.push(...page.changes);
      if (page.changes.length) cursor = page.changes[page.changes.length - 1]!.seq;
    };
    await follow();
    release();
    await Promise.all([first, second]);
    await follow();

    const all = (await readFeed(orm.em.fork(), 0, 100)).changes;
    expect(all).toHaveLength(4);
    expect(received.map((c) => c.seq)).toEqual(all.map((c) => c.seq));
    // The first writer's rows come first: seq order is commit order.
    expect(all.map((c) => c.unitId.slice(0, 5))).toEqual(['11329', '11335', '11338', '11341']);
  });

  it('counts a key another writer inserted meanwhile as updated, not inserted', async () => {
    if (!available) return;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstWrote!: () => void;
    const wrote = new Promise<void>((r) => (firstWrote = r));
    const first = orm.em.fork().transactional(async (tx) => {
      const result = await upsertObservations(tx, [row('11344', 5)]);
      firstWrote();
      await gate;
      return result;
    });
    await wrote;
    // The second writer waits for the first on the row itself, then updates what the first inserted.
    const second = orm.em.fork().transactional((tx) => upsertObservations(tx, [row('11344', 6)]));
    const conn = orm.em.getConnection();
    await until(
      async () =>
        Number(
          ((await conn.execute('select count(*) as n from pg_locks where not granted')) as { n: string }[])[0]!.n,
        ) > 0,
    );
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.inserted, a.updated]).toEqual([1, 0]);
    expect([b.inserted, b.updated]).toEqual([0, 1]);
  });
});
