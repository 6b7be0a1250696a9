import { UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { AnalyticsStore, calendarRows, catalogRows, firstWholeMonth, queryRows, statement, unitStages } from '..';

describe('catalogue rows', () => {
  const { units, links } = loadAdminUnits(DEFAULT_UNITS_DIR);
  const catalog = new UnitCatalog(units, links);

  it('stage the old units before the reform 0 and the new ones 1', () => {
    const stages = unitStages(catalog);
    expect(stages.get('304@2000-01-01')).toBe(0);
    expect(stages.get('31@2000-01-01')).toBe(0);
    expect(stages.get('11329@2025-07-01')).toBe(1);
    expect(stages.get('31@2025-07-01')).toBe(1);
    expect(new Set(stages.values())).toEqual(new Set([0, 1]));
  });

  it('list every version, its ancestors and its rule-4 contributions', () => {
    const rows = catalogRows(catalog);
    expect(rows.units).toHaveLength(catalog.units.length);
    // Each version with itself, communes before the reform with district and province as well.
    const expectedClosure = catalog.units.reduce((n, u) => n + 1 + catalog.ancestors(u.id).length, 0);
    expect(rows.closure).toHaveLength(expectedClosure);
    expect(rows.lineage).toHaveLength(catalog.links.length);
    const ngoQuyen = rows.contributions.filter((r) => r[0] === '11329@2025-07-01').map((r) => [r[1], r[2], r[3]]);
    expect(ngoQuyen).toEqual([
      ['11329@2000-01-01', 'WHOLE', 1],
      ['11335@2000-01-01', 'WHOLE', 1],
      ['11338@2000-01-01', 'WHOLE', 1],
      ['11341@2000-01-01', 'SHARE', 1 / 3],
      ['11350@2000-01-01', 'SHARE', 0.5],
      ['304@2000-01-01', 'PARTIAL', null],
      ['31@2000-01-01', 'PARTIAL', null],
    ]);
  });

  it('compare periods with the first month that starts on or after a date', () => {
    expect(firstWholeMonth('2025-07-01')).toBe(2025 * 12 + 6);
    expect(firstWholeMonth('2025-07-15')).toBe(2025 * 12 + 7);
  });

  it('name the term each calendar period lies in', () => {
    const byCode = new Map(calendarRows(2024, 2025).map((r) => [r[0], r]));
    expect(byCode.get('2024S2')![7]).toBe('2020-2025');
    expect(byCode.get('2025')![7]).toBeNull();
    expect(byCode.get('2025Q3')![7]).toBe('2025-2030');
  });

  it('load into the store in one go', async () => {
    const store = await AnalyticsStore.open(':memory:');
    try {
      const started = Date.now();
      expect(await store.syncCatalog(catalog)).toBe(true);
      const ms = Date.now() - started;
      expect((await store.counts()).units).toBe(catalog.units.length);
      const byLevel = await store.withConnection((c) =>
        queryRows(
          c,
          statement('SELECT level, stage, count(*)::INTEGER AS n FROM unit_version GROUP BY ALL ORDER BY ALL'),
        ),
      );
      expect(byLevel).toEqual([
        { level: 'COMMUNE', stage: 0, n: 10035 },
        { level: 'COMMUNE', stage: 1, n: 3321 },
        { level: 'DISTRICT', stage: 0, n: 696 },
        { level: 'PROVINCE', stage: 0, n: 63 },
        { level: 'PROVINCE', stage: 1, n: 34 },
      ]);
      console.log(`synced ${catalog.units.length} unit versions in ${ms} ms`);
    } finally {
      await store.close();
    }
  });
});
