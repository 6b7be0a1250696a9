import { UnitCatalog, UnitVersion } from '@lgr/schema';
import { AnalyticsStore, FeedChange, queryRows, runStatement, statement } from '..';

function unit(code: string, level: UnitVersion['level'], parentId: string | null): UnitVersion {
  return {
    id: `${code}@2000-01-01`,
    code,
    name: code,
    fullName: code,
    nameEn: code,
    level,
    kind: 'x',
    parentId,
    validFrom: '2000-01-01',
    validTo: null,
  };
}

const catalog = (extra: UnitVersion[] = []) =>
  new UnitCatalog([unit('P', 'PROVINCE', null), unit('D', 'DISTRICT', 'P@2000-01-01'), ...extra], []);

const change = (seq: number, value: number | null): FeedChange => ({
  seq,
  indicator: 'PB_NEW_MEMBERS',
  unitId: 'D@2000-01-01',
  period: '2024',
  value,
  target: null,
});

describe('AnalyticsStore version', () => {
  let store: AnalyticsStore;
  beforeEach(async () => {
    store = await AnalyticsStore.open(':memory:', { threads: 1 });
  });
  afterEach(() => store.close());

  it('grows when facts or units change, and not when a batch changes nothing', async () => {
    expect(store.version).toBe(0);
    await store.syncCatalog(catalog());
    expect(store.version).toBe(1);
    await store.syncCatalog(catalog());
    expect(store.version).toBe(1);

    await store.applyChanges('party', [change(1, 5)], 1);
    expect(store.version).toBe(2);
    // A replayed batch, an older change and a page without changes leave the facts alone.
    await store.applyChanges('party', [change(1, 5)], 1);
    await store.applyChanges('party', [change(0, 9)], 1);
    await store.applyChanges('party', [], 3);
    expect(store.version).toBe(2);
    // A deletion is a change.
    await store.applyChanges('party', [change(4, null)], 4);
    expect(store.version).toBe(3);

    await store.syncCatalog(catalog([unit('C', 'COMMUNE', 'D@2000-01-01')]));
    expect(store.version).toBe(4);
  });

  it('is already new when a write resolves, so a reader of the new version sees the new facts', async () => {
    await store.syncCatalog(catalog());
    const before = store.version;
    const write = store.applyChanges('party', [change(1, 7)], 1);
    expect(store.version).toBe(before);
    await write;
    expect(store.version).toBe(before + 1);
    const rows = await store.withConnection((c) => queryRows(c, statement('SELECT value FROM fact')));
    expect(rows).toEqual([{ value: 7 }]);
  });
});

describe('AnalyticsStore connections for reuse', () => {
  let store: AnalyticsStore;
  beforeEach(async () => {
    store = await AnalyticsStore.open(':memory:', { threads: 1, idleConnections: 1 });
  });
  afterEach(() => store.close());

  const hasScratch = (c: Parameters<Parameters<AnalyticsStore['withConnection']>[0]>[0]) =>
    queryRows(
      c,
      statement("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE temporary AND table_name = 'scratch'"),
    ).then((r) => r[0]!.n === 1);

  it('keeps a connection with what it holds for the next caller that asks for reuse', async () => {
    await store.withConnection((c) => runStatement(c, statement('CREATE TEMP TABLE scratch (a INTEGER)')), {
      reuse: true,
    });
    expect(await store.withConnection(hasScratch, { reuse: true })).toBe(true);
    // A caller that does not ask for reuse gets a fresh connection.
    expect(await store.withConnection(hasScratch)).toBe(false);
  });

  it('drops a connection whose work failed, or that timed out', async () => {
    await store.withConnection((c) => runStatement(c, statement('CREATE TEMP TABLE scratch (a INTEGER)')), {
      reuse: true,
    });
    await expect(
      store.withConnection(
        async (c) => {
          expect(await hasScratch(c)).toBe(true);
          throw new Error('the work failed');
        },
        { reuse: true },
      ),
    ).rejects.toThrow('the work failed');
    expect(await store.withConnection(hasScratch, { reuse: true })).toBe(false);

    await store.withConnection((c) => runStatement(c, statement('CREATE TEMP TABLE scratch (a INTEGER)')), {
      reuse: true,
    });
    await expect(
      store.withConnection((c) => runStatement(c, statement('SELECT count(*) FROM range(100000000) a, range(100) b')), {
        reuse: true,
        timeoutMs: 20,
      }),
    ).rejects.toMatchObject({ extensions: { code: 'TIMEOUT' } });
    expect(await store.withConnection(hasScratch, { reuse: true })).toBe(false);
  });

  it('keeps no more idle connections than it was told', async () => {
    const create = (c: Parameters<Parameters<AnalyticsStore['withConnection']>[0]>[0]) =>
      runStatement(c, statement('CREATE TEMP TABLE scratch (a INTEGER)'));
    // Two at once: both are returned, only one is kept.
    await Promise.all([store.withConnection(create, { reuse: true }), store.withConnection(create, { reuse: true })]);
    const seen = await Promise.all([
      store.withConnection(hasScratch, { reuse: true }),
      store.withConnection(hasScratch, { reuse: true }),
    ]);
    expect(seen.sort()).toEqual([false, true]);
  });
});
