import { DOMAINS, findIndicator, parsePeriod, UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { apportion, between, unitRandom } from '../demo/random';
import { reportRecords } from '../demo/seed';
import { generateSyntheticObservations, haiPhongTerritory } from '../demo/synthetic';
import { testCatalog } from '../../testing/helpers';
import { observationKey, validateObservations } from '../validation';

let catalog: UnitCatalog;
beforeAll(() => {
  catalog = testCatalog(loadAdminUnits, DEFAULT_UNITS_DIR);
});

describe('deterministic randomness', () => {
  it('depends only on the seed and the key', () => {
    expect(unitRandom('a|b')).toBe(unitRandom('a|b'));
    expect(unitRandom('a|b')).not.toBe(unitRandom('a|c'));
    expect(unitRandom('a|b', 1)).not.toBe(unitRandom('a|b', 2));
    const xs = Array.from({ length: 2000 }, (_, i) => between(`k${i}`, 10, 20));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(20);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(15, 0);
  });

  it('apportions a whole number exactly, in proportion', () => {
    expect(apportion(254, [10, 20, 30, 40])).toEqual([25, 51, 76, 102]);
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(0, [5, 7])).toEqual([0, 0]);
    expect(apportion(5, [0, 0])).toEqual([3, 2]);
    for (let t = 0; t < 200; t += 7) expect(apportion(t, [3, 9, 1, 4]).reduce((s, x) => s + x, 0)).toBe(t);
  });
});

describe('synthetic demo data', () => {
  it("covers today's Hải Phòng: old Hải Phòng and Hải Dương before the reform, the new communes after", () => {
    const t = haiPhongTerritory(catalog);
    expect(t.oldProvinces.map((p) => p.id)).toEqual(['31@2000-01-01', '30@2000-01-01']);
    expect(t.oldDistricts).toHaveLength(27);
    expect(t.newProvince.id).toBe('31@2025-07-01');
    expect(t.newCommunes).toHaveLength(114);
    expect(t.oldLeaves.length).toBeGreaterThan(370);
  });

  it.each(DOMAINS)(
    '%s: is deterministic, valid on the boundaries of each period, and has no province-level FLOW figures',
    (domain) => {
      const report = validateObservations(reportRecords(domain), { domain, catalog }).rows;
      const rows = generateSyntheticObservations(catalog, domain, report);
      expect(generateSyntheticObservations(catalog, domain, report)).toEqual(rows);
      expect(rows.length).toBeGreaterThan(10_000);
      expect(rows.length).toBeLessThan(60_000);
      const { errors } = validateObservations(
        rows.map((r) => ({ ...r, unit: r.unitId })),
        { domain, catalog },
      );
      expect(errors).toEqual([]);
      const levels = new Set<string>();
      for (const r of rows) {
        const unit = catalog.get(r.unitId)!;
        levels.add(unit.level);
        expect(unit.level === 'PROVINCE' && findIndicator(r.indicator)!.rule === 'FLOW').toBe(false);
        // Old units hold figures only up to 2025S1, new ones only from 2025S2 (targets: the year 2025 on both sides).
        const p = parsePeriod(r.period);
        if (unit.validTo) expect(p.start <= unit.validTo).toBe(true);
        else expect(p.end >= unit.validFrom).toBe(true);
      }
      expect([...levels].sort()).toEqual(['COMMUNE', 'DISTRICT']);
      const periods = new Set(rows.map((r) => r.period));
      for (const p of ['2020S1', '2024S2', '2025S1', '2025S2', '2026S1', '2020', '2026']) expect(periods).toContain(p);
      // The report's keys are the report's alone.
      const synthetic = new Set(rows.map(observationKey));
      for (const r of report) expect(synthetic.has(observationKey(r))).toBe(false);
    },
  );

  it("makes Ngô Quyền's wards add up to the report's district figures where the wards record the same indicator", () => {
    const report = validateObservations(reportRecords('ECONOMY'), { domain: 'ECONOMY', catalog }).rows;
    const rows = generateSyntheticObservations(catalog, 'ECONOMY', report);
    const wards = new Set(catalog.children('304@2000-01-01').map((u) => u.id));
    const sum = (indicator: string, period: string, field: 'value' | 'target') =>
      rows
        .filter((r) => r.indicator === indicator && r.period === period && wards.has(r.unitId))
        .reduce((s, r) => s + (r[field] ?? 0), 0);
    expect(sum('EB_BUDGET_REV', '2025S1', 'value')).toBe(820800);
    expect(sum('EB_BUDGET_REV', '2024S1', 'value')).toBe(414756);
    expect(sum('EB_BUDGET_REV', '2025', 'target')).toBe(1520000);
    expect(sum('EB_NONSTATE_TAX', '2025S1', 'value')).toBe(174933);
  });
});
