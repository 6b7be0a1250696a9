import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLError } from 'graphql';
import { LineageLink, UnitCatalog, UnitVersion } from '@lgr/schema';
import { AnalyticsStore, FeedChange, queryRows, statement } from '..';

function unit(
  code: string,
  level: UnitVersion['level'],
  parentId: string | null,
  validFrom = '2000-01-01',
  validTo: string | null = null,
): UnitVersion {
  return {
    id: `${code}@${validFrom}`,
    code,
    name: code,
    fullName: code,
    nameEn: code,
    level,
    kind: 'x',
    parentId,
    validFrom,
    validTo,
  };
}

function smallCatalog(): UnitCatalog {
  const units = [
    unit('P', 'PROVINCE', null, '2000-01-01', '2025-06-30'),
    unit('D', 'DISTRICT', 'P@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('C1', 'COMMUNE', 'D@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('C2', 'COMMUNE', 'D@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('Q', 'PROVINCE', null, '2025-07-01'),
    unit('N1', 'COMMUNE', 'Q@2025-07-01', '2025-07-01'),
    unit('N2', 'COMMUNE', 'Q@2025-07-01', '2025-07-01'),
  ];
  const links: LineageLink[] = [
    { fromId: 'C1@2000-01-01', toId: 'N1@2025-07-01', share: 1 },
    { fromId: 'C2@2000-01-01', toId: 'N1@2025-07-01', share: 0.5 },
    { fromId: 'C2@2000-01-01', toId: 'N2@2025-07-01', share: 0.5 },
  ];
  return new UnitCatalog(units, links);
}

const change = (seq: number, value: number | null, target: number | null = null, period = '2024'): FeedChange => ({
  seq,
  indicator: 'PB_NEW_MEMBERS',
  unitId: 'C1@2000-01-01',
  period,
  value,
  target,
});

describe('AnalyticsStore', () => {
  let store: AnalyticsStore;
  beforeEach(async () => {
    store = await AnalyticsStore.open(':memory:', { threads: 1 });
  });
  afterEach(async () => {
    await store.close();
  });

  it('syncs a catalogue once per digest, with closure, lineage, contributions and stages', async () => {
    const catalog = smallCatalog();
    expect(await store.syncCatalog(catalog)).toBe(true);
    expect(await store.syncCatalog(catalog)).toBe(false);
    expect(await store.counts()).toEqual({ facts: 0, units: 7 });
    const rows = await store.withConnection(async (c) => ({
      closure: await queryRows(c, statement('SELECT count(*)::INTEGER AS n FROM unit_closure')),
      contributions: await queryRows(
        c,
        statement('SELECT unit_id, contributor_id, kind, share FROM unit_contribution ORDER BY ALL'),
      ),
      stages: await queryRows(
        c,
        statement('SELECT id, stage, depth, valid_from_month, first_whole_month FROM unit_version ORDER BY id'),
      ),
      lineage: await queryRows(c, statement('SELECT count(*)::INTEGER AS n FROM unit_lineage')),
    }));
    // 7 self rows, 3 below P, 2 below D, 2 below Q.
    expect(rows.closure[0]!.n).toBe(14);
    expect(rows.lineage[0]!.n).toBe(3);
    expect(rows.contributions).toEqual(
      expect.arrayContaining([
        { unit_id: 'N1@2025-07-01', contributor_id: 'C1@2000-01-01', kind: 'WHOLE', share: 1 },
        { unit_id: 'N1@2025-07-01', contributor_id: 'C2@2000-01-01', kind: 'SHARE', share: 0.5 },
        { unit_id: 'N1@2025-07-01', contributor_id: 'D@2000-01-01', kind: 'PARTIAL', share: null },
        { unit_id: 'Q@2025-07-01', contributor_id: 'P@2000-01-01', kind: 'WHOLE', share: 1 },
      ]),
    );
    const byId = Object.fromEntries(rows.stages.map((r) => [r.id, r]));
    expect(byId['C1@2000-01-01']).toMatchObject({ stage: 0, depth: 2 });
    expect(byId['N1@2025-07-01']).toMatchObject({
      stage: 1,
      depth: 1,
      valid_from_month: 2025 * 12 + 6,
      first_whole_month: 2025 * 12 + 6,
    });
    // A change of catalogue replaces everything.
    const changed = new UnitCatalog(catalog.units.slice(0, 4), []);
    expect(await store.syncCatalog(changed)).toBe(true);
    expect((await store.counts()).units).toBe(4);
  });

  it('upserts facts, keeps the latest change of a key, and ignores replays', async () => {
    await store.applyChanges('party', [change(1, 10, 100), change(2, 12, 100), change(3, 5, null, '2024S1')], 3);
    expect(await store.cursor('party')).toBe(3);
    expect(await store.cursor('economy')).toBe(0);
    const read = () =>
      store.withConnection((c) =>
        queryRows(
          c,
          statement('SELECT period, grain, start_month, end_month, value, target, seq FROM fact ORDER BY period'),
        ),
      );
    const before = await read();
    expect(before).toEqual([
      {
        period: '2024',
        grain: 'YEAR',
        start_month: 2024 * 12,
        end_month: 2024 * 12 + 11,
        value: 12,
        target: 100,
        seq: 2n,
      },
      {
        period: '2024S1',
        grain: 'SIX_MONTH',
        start_month: 2024 * 12,
        end_month: 2024 * 12 + 5,
        value: 5,
        target: null,
        seq: 3n,
      },
    ]);
    // Replaying the batch, or an older part of it, changes nothing, not even the cursor.
    await store.applyChanges('party', [change(1, 10, 100)], 1);
    await store.applyChanges('party', [change(1, 10, 100), change(2, 12, 100), change(3, 5, null, '2024S1')], 3);
    expect(await read()).toEqual(before);
    expect(await store.cursor('party')).toBe(3);
    // A deletion is a change with neither value nor target; it is not counted and not revived by a replay.
    await store.applyChanges('party', [change(4, null, null, '2024S1')], 4);
    expect((await store.counts()).facts).toBe(1);
    await store.applyChanges('party', [change(3, 5, null, '2024S1')], 3);
    expect((await store.counts()).facts).toBe(1);
    expect(await store.cursor('party')).toBe(4);
  });

  it('keeps a fact whose period does not parse without aggregating it', async () => {
    await store.applyChanges('party', [change(1, 1, null, '2024X9')], 1);
    const rows = await store.withConnection((c) => queryRows(c, statement('SELECT period, grain FROM fact')));
    expect(rows).toEqual([{ period: '2024X9', grain: null }]);
  });

  it('rolls a failed batch back whole', async () => {
    await store.applyChanges('party', [change(1, 1)], 1);
    const bad = { ...change(2, 2), indicator: null as unknown as string };
    await expect(store.applyChanges('party', [change(2, 2, null, '2023'), bad], 2)).rejects.toThrow();
    expect((await store.counts()).facts).toBe(1);
    expect(await store.cursor('party')).toBe(1);
    // The store still works after the failure.
    await store.applyChanges('party', [change(3, 3, null, '2023')], 3);
    expect((await store.counts()).facts).toBe(2);
  });

  it('fills the period calendar and the indicator table for analysts', async () => {
    const rows = await store.withConnection(async (c) => ({
      periods: await queryRows(
        c,
        statement(
          "SELECT code, grain, term FROM period_calendar WHERE code IN ('2024', '2025', '2024Q3', '2020-2025') ORDER BY code",
        ),
      ),
      ratio: await queryRows(
        c,
        statement("SELECT rule, numerator, denominator FROM indicator_def WHERE code = 'SS_POOR_RATE'"),
      ),
    }));
    expect(rows.periods).toEqual([
      { code: '2020-2025', grain: 'TERM', term: '2020-2025' },
      { code: '2024', grain: 'YEAR', term: '2020-2025' },
      { code: '2024Q3', grain: 'QUARTER', term: '2020-2025' },
      { code: '2025', grain: 'YEAR', term: null },
    ]);
    expect(rows.ratio).toEqual([{ rule: 'RATIO', numerator: 'SS_POOR_HH', denominator: 'SS_HOUSEHOLDS' }]);
  });

  it('interrupts a statement that runs past its time limit with a TIMEOUT error', async () => {
    const started = Date.now();
    const error = await store
      .withConnection(
        (c) => c.run('SELECT count(*) FROM range(10000000000) a, range(10) b WHERE a.range % 7 = b.range'),
        { timeoutMs: 100 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5000);
    // The store is still usable afterwards.
    expect((await store.counts()).facts).toBe(0);
  });

  it("knows which indicators have values that are not leaves' months, from the facts and each batch", async () => {
    const figure = (seq: number, indicator: string, unitId: string, period: string): FeedChange => ({
      seq,
      indicator,
      unitId,
      period,
      value: 1,
      target: null,
    });
    await store.syncCatalog(smallCatalog());
    expect([...store.irregularIndicators]).toEqual([]);
    // Leaves' months, a target for a year, and a unit outside the catalogue: all regular.
    await store.applyChanges(
      'party',
      [
        figure(1, 'PB_NEW_MEMBERS', 'C1@2000-01-01', '202401'),
        { ...figure(2, 'PB_NEW_MEMBERS', 'D@2000-01-01', '2024'), value: null, target: 5 },
        figure(3, 'PB_BADGES', 'X@2000-01-01', '2024'),
      ],
      3,
    );
    expect([...store.irregularIndicators]).toEqual([]);
    const version = store.version;
    // A quarter at a leaf, a district's month, a new commune's month before it existed.
    await store.applyChanges(
      'party',
      [
        figure(4, 'SS_JOBS_CREATED', 'C2@2000-01-01', '2024Q1'),
        figure(5, 'EB_BUDGET_REV', 'D@2000-01-01', '202402'),
        figure(6, 'DF_FIRES', 'N1@2025-07-01', '202506'),
      ],
      6,
    );
    expect(store.version).toBe(version + 1);
    expect([...store.irregularIndicators].sort()).toEqual(['DF_FIRES', 'EB_BUDGET_REV', 'SS_JOBS_CREATED']);
    // Counted again from the facts when the catalogue changes: without its communes the district is
    // a leaf, and the commune with the quarter is no unit of the catalogue.
    const units = smallCatalog().units.filter((u) => u.parentId !== 'D@2000-01-01');
    await store.syncCatalog(new UnitCatalog(units, []));
    expect([...store.irregularIndicators]).toEqual(['DF_FIRES']);
  });

  it('persists in a file across reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'analytics-store-'));
    try {
      const path = join(dir, 'sub', 'analytics.duckdb');
      const a = await AnalyticsStore.open(path);
      await a.syncCatalog(smallCatalog());
      await a.applyChanges('party', [change(1, 7)], 1);
      await a.close();
      const b = await AnalyticsStore.open(path);
      expect(await b.counts()).toEqual({ facts: 1, units: 7 });
      expect(await b.cursor('party')).toBe(1);
      expect(await b.syncCatalog(smallCatalog())).toBe(false);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
