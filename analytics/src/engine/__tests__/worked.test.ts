import { GraphQLError } from 'graphql';
import { Figure, ReferenceEvaluator, UnitCatalog } from '@lgr/schema';
import { AnalyticsStore } from '../../store';
import { runAggregate } from '../aggregate';
import type { AggregateRequest, AggregateRow } from '../types';
import { askBothWays, compareWithEvaluator, realCatalog, storeWith } from './helpers';

/*
 * Worked examples on the real unit catalogue. Every expected number is worked out by hand in the test
 * (the comments show the arithmetic); every row is also checked against the reference evaluator.
 */

const OLD = '2000-01-01';
const NEW = '2025-07-01';
const old = (code: string) => `${code}@${OLD}`;
const fresh = (code: string) => `${code}@${NEW}`;

// Old Ngô Quyền district (304) and five of its wards; new Ngô Quyền ward (11329) takes Máy Chai,
// Vạn Mỹ and Cầu Tre whole, a third of Gia Viên (three successors) and half of Đông Khê (two).
const MAY_CHAI = old('11329');
const VAN_MY = old('11335');
const CAU_TRE = old('11338');
const GIA_VIEN = old('11341');
const DONG_KHE = old('11350');

const fig = (
  indicator: string,
  unitId: string,
  period: string,
  value: number | null,
  target: number | null = null,
): Figure => ({
  indicator,
  unitId,
  period,
  value,
  target,
});

function figures(catalog: UnitCatalog): Figure[] {
  const hongBang = catalog.children(old('303')).map((u) => u.id);
  const leChan = catalog.children(old('305')).map((u) => u.id);
  const oldHaiPhongCommunes = catalog.subtree(old('31')).filter((u) => u.level === 'COMMUNE');
  return [
    // The seed report: Ngô Quyền district, first half of 2025.
    fig('PB_NEW_MEMBERS', old('304'), '2025S1', 254),
    fig('PB_NEW_MEMBERS', old('304'), '2025', null, 271),
    fig('PB_ORGS_ESTABLISHED', old('304'), '2025S1', 5),
    fig('PB_ORGS_ESTABLISHED', old('304'), '2025', null, 4),
    fig('EB_BUDGET_REV', old('304'), '2025S1', 820800),
    fig('EB_BUDGET_REV', old('304'), '2025', null, 1520000),
    fig('EB_BUDGET_REV', old('304'), '2024S1', 414756),
    fig('EB_NONSTATE_TAX', old('304'), '2025S1', 174933),
    fig('EB_NONSTATE_TAX', old('304'), '2025', null, 310000),
    fig('EB_NONSTATE_TAX', old('304'), '2024S1', 153047),

    // New members in 2024: 304 reported 254 itself; its wards reported too (not added to 304's own).
    fig('PB_NEW_MEMBERS', old('304'), '2024', 254, 300),
    fig('PB_NEW_MEMBERS', MAY_CHAI, '2024', 20),
    fig('PB_NEW_MEMBERS', VAN_MY, '2024', 30),
    fig('PB_NEW_MEMBERS', CAU_TRE, '2024', 40),
    fig('PB_NEW_MEMBERS', GIA_VIEN, '2024', 60),
    fig('PB_NEW_MEMBERS', DONG_KHE, '2024', 80),
    // Hồng Bàng (303) reported nothing itself: two wards with 11 and 12, and targets of 50 and 60.
    fig('PB_NEW_MEMBERS', hongBang[0]!, '2024', 11, 50),
    fig('PB_NEW_MEMBERS', hongBang[1]!, '2024', 12, 60),
    // Lê Chân (305) reported its first two quarters; its second half comes from a ward.
    fig('PB_NEW_MEMBERS', old('305'), '2024Q1', 5),
    fig('PB_NEW_MEMBERS', old('305'), '2024Q2', 6),
    fig('PB_NEW_MEMBERS', leChan[0]!, '2024S2', 7),

    // Poverty by district: the city's rate is 40 / 300, not the average of 10% and 15%.
    fig('SS_POOR_HH', old('306'), '2024', 10),
    fig('SS_HOUSEHOLDS', old('306'), '2024', 100),
    fig('SS_POOR_HH', old('307'), '2024', 30),
    fig('SS_HOUSEHOLDS', old('307'), '2024', 200),
    // A ward with no households left: a zero denominator.
    fig('SS_POOR_HH', MAY_CHAI, '2024', 0),
    fig('SS_HOUSEHOLDS', MAY_CHAI, '2024', 0),
    // Ratio targets are set per ward and never summed.
    fig('SS_POOR_RATE', VAN_MY, '2024', null, 5),
    fig('SS_POOR_RATE', CAU_TRE, '2024', null, 7),

    // Jobs created in 2024 in every ward of old Hải Phòng (1, 2, 3, ...), nothing at district level.
    ...oldHaiPhongCommunes.map((u, i) => fig('SS_JOBS_CREATED', u.id, '2024', i + 1)),

    // Recruits: old Hải Phòng and old Hải Dương each reported their first half of 2025, new Hải
    // Phòng its second half.
    fig('DF_MIL_RECRUITS', old('31'), '2025S1', 1000),
    fig('DF_MIL_RECRUITS', old('30'), '2025S1', 500),
    fig('DF_MIL_RECRUITS', fresh('31'), '2025S2', 700),
    fig('DF_MIL_RECRUITS', old('31'), '2025', null, 2500),

    // Near-poor households in Máy Chai month by month to September 2024 (a STOCK), target 80.
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => fig('SS_NEAR_POOR_HH', MAY_CHAI, `20240${m}`, 100 - m)),
    fig('SS_NEAR_POOR_HH', MAY_CHAI, '2024', null, 80),

    // Inspections in Máy Chai by quarter (a FLOW), target 100 for the year; 2023Q3 for the same period.
    fig('PB_INSPECTIONS', MAY_CHAI, '2024Q1', 10),
    fig('PB_INSPECTIONS', MAY_CHAI, '2024Q2', 20),
    fig('PB_INSPECTIONS', MAY_CHAI, '2024Q3', 30),
    fig('PB_INSPECTIONS', MAY_CHAI, '2024', null, 100),
    fig('PB_INSPECTIONS', MAY_CHAI, '2023Q3', 0),

    // Targets of the five wards of new Ngô Quyền ward for 2024 (supervisions).
    fig('PB_SUPERVISIONS', MAY_CHAI, '2024', 1, 3),
    fig('PB_SUPERVISIONS', VAN_MY, '2024', 2, 6),
    fig('PB_SUPERVISIONS', CAU_TRE, '2024', 3, 9),
    fig('PB_SUPERVISIONS', GIA_VIEN, '2024', 4, 12),
    fig('PB_SUPERVISIONS', DONG_KHE, '2024', 5, 14),

    // Thematic resolutions of the 2020-2025 term in 304, and a term figure of Hồng Bàng's own.
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2020S2', 1),
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2021', 2),
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2022', 3),
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2023', 4),
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2024', 5),
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2025S1', 6),
    fig('PB_THEMATIC_RESOLUTIONS', old('304'), '2020-2025', null, 30),
    fig('PB_THEMATIC_RESOLUTIONS', old('303'), '2020-2025', 12, 10),
    // Congress-resolution targets met (a STOCK) at the end of 2024 and of the term.
    fig('PB_RESOLUTION_TARGETS_MET', old('304'), '2024', 14),
    fig('PB_RESOLUTION_TARGETS_MET', old('304'), '2025S1', 16),
    fig('PB_RESOLUTION_TARGETS_MET', old('304'), '2020-2025', null, 16),
  ];
}

describe('worked examples on the real catalogue', () => {
  let catalog: UnitCatalog;
  let store: AnalyticsStore;
  let evaluator: ReferenceEvaluator;
  const ask = async (request: AggregateRequest, scope?: ReadonlySet<string>): Promise<AggregateRow[]> => {
    const rows = await askBothWays(store, catalog, request, { scope });
    expect(compareWithEvaluator(rows, evaluator)).toEqual([]);
    return rows;
  };
  const one = async (request: AggregateRequest): Promise<AggregateRow> => {
    const rows = await ask(request);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  beforeAll(async () => {
    catalog = realCatalog();
    const all = figures(catalog);
    store = await storeWith(catalog, all);
    evaluator = new ReferenceEvaluator(catalog, all);
  });
  afterAll(() => store.close());

  it('reproduces the seed report for 304 in 2025S1', async () => {
    const rows = await ask({
      indicators: ['PB_NEW_MEMBERS', 'PB_ORGS_ESTABLISHED', 'EB_BUDGET_REV', 'EB_NONSTATE_TAX'],
      units: ['304'],
      periods: ['2025S1'],
    });
    const by = Object.fromEntries(rows.map((r) => [r.indicator, r]));
    // 254 / 271 = 93.7%; 5 / 4 = 125%.
    expect(by.PB_NEW_MEMBERS).toMatchObject({
      unitId: old('304'),
      value: 254,
      target: 271,
      boundariesAsOf: '2025-06-30',
      complete: true,
    });
    expect(by.PB_NEW_MEMBERS!.achievementPct!.toFixed(1)).toBe('93.7');
    expect(by.PB_ORGS_ESTABLISHED).toMatchObject({ value: 5, target: 4, achievementPct: 125 });
    // 820,800 / 1,520,000 = 54.0% of the estimate; 820,800 / 414,756 = 197.9% of 2024S1.
    expect(by.EB_BUDGET_REV).toMatchObject({ value: 820800, target: 1520000, samePeriodValue: 414756 });
    expect(by.EB_BUDGET_REV!.achievementPct!.toFixed(1)).toBe('54.0');
    expect(by.EB_BUDGET_REV!.samePeriodPct!.toFixed(1)).toBe('197.9');
    // 174,933 / 310,000 = 56.43%; 174,933 / 153,047 = 114.3%.
    expect(by.EB_NONSTATE_TAX).toMatchObject({ value: 174933, target: 310000, samePeriodValue: 153047 });
    expect(by.EB_NONSTATE_TAX!.achievementPct!.toFixed(2)).toBe('56.43');
    expect(by.EB_NONSTATE_TAX!.samePeriodPct!.toFixed(1)).toBe('114.3');
  });

  it('makes the city the sum of its districts for a FLOW in 2024, each district reported first', async () => {
    const districts = await ask({
      indicators: ['PB_NEW_MEMBERS'],
      units: ['31'],
      periods: ['2024'],
      level: 'DISTRICT',
    });
    expect(districts).toHaveLength(15);
    const by = Object.fromEntries(districts.map((r) => [r.unitCode, r.value]));
    // 304 reported 254 itself (its wards' 230 do not overrule it); Hồng Bàng is 11 + 12; Lê Chân is
    // its own 5 + 6 for the first half and a ward's 7 for the second.
    expect(by).toMatchObject({ '303': 23, '304': 254, '305': 18, '306': null });
    const city = await one({ indicators: ['PB_NEW_MEMBERS'], units: ['31'], periods: ['2024'] });
    expect(city).toMatchObject({ unitId: old('31'), value: 254 + 23 + 18 });
    expect(city.value).toBe(districts.reduce((s, r) => s + (r.value ?? 0), 0));
    // Targets roll up the same way: 304's own 300, Hồng Bàng's wards' 50 + 60.
    expect(by['303']).toBe(23);
    expect(districts.find((r) => r.unitCode === '303')!.target).toBe(110);
    expect(city.target).toBe(410);
    expect(city.achievementPct).toBeCloseTo((100 * 295) / 410, 12);
  });

  it('recomputes a ratio at city level from the summed numerator and denominator', async () => {
    const city = await one({ indicators: ['SS_POOR_RATE'], units: ['31'], periods: ['2024'] });
    // (10 + 30 + 0) / (100 + 200 + 0) = 13.33%, not the average of 10% and 15%.
    expect(city.value).toBeCloseTo((100 * 40) / 300, 12);
    expect(city.value).not.toBeCloseTo(12.5, 3);
    // Ratio targets set for wards are not summed above them.
    expect(city.target).toBeNull();
  });

  it('lands 2024 on the new Ngô Quyền ward by the lineage shares (DESIGN 3 rule 4)', async () => {
    const row = await one({
      indicators: ['PB_NEW_MEMBERS'],
      units: ['11329'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
    });
    // Máy Chai + Vạn Mỹ + Cầu Tre + 1/3 Gia Viên + 1/2 Đông Khê = 20 + 30 + 40 + 20 + 40.
    expect(row).toMatchObject({ unitId: fresh('11329'), unitCode: '11329', value: 150, boundariesAsOf: '2025-07-01' });
    // District 304 reported 254 for 2024 itself; it lies only partly in the new ward, so its figure
    // cannot be split, and the row says so.
    expect(row.complete).toBe(false);
    // Without an unsplittable figure of 304 the row is complete: supervisions 1 + 2 + 3 + 4/3 + 5/2.
    const clean = await one({
      indicators: ['PB_SUPERVISIONS'],
      units: ['11329'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
    });
    expect(clean.value).toBeCloseTo(6 + 4 / 3 + 5 / 2, 12);
    expect(clean.complete).toBe(true);
    // The 2024 target ended before the new ward existed, so it is made the same way: 3 + 6 + 9 + 12/3 + 14/2.
    expect(clean.target).toBeCloseTo(3 + 6 + 9 + 4 + 7, 12);
  });

  it('flags the new ward incomplete for 2025, whose first half 304 reported itself', async () => {
    const row = await one({ indicators: ['PB_NEW_MEMBERS'], units: ['11329'], periods: ['2025'] });
    expect(row).toMatchObject({ unitId: fresh('11329'), value: null, complete: false });
  });

  it('keeps the city total when wards are remapped onto the new ones', async () => {
    const communes = catalog.subtree(old('31')).filter((u) => u.level === 'COMMUNE').length;
    const total = (communes * (communes + 1)) / 2;
    const before = await one({ indicators: ['SS_JOBS_CREATED'], units: [old('31')], periods: ['2024'] });
    expect(before.value).toBe(total);
    const after = await ask({
      indicators: ['SS_JOBS_CREATED'],
      units: ['31'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
      level: 'COMMUNE',
      totals: true,
    });
    const rows = after.filter((r) => !r.total);
    expect(rows).toHaveLength(catalog.children(fresh('31')).length);
    const sum = rows.reduce((s, r) => s + (r.value ?? 0), 0);
    expect(sum).toBeCloseTo(total, 6);
    const totalRow = after.find((r) => r.total)!;
    // Old Hải Dương's communes, now inside new Hải Phòng, reported nothing for 2024 (DESIGN 3 rule 9).
    // Coverage: the old leaves' lineage shares into the new city, those of old Hải Phòng reported.
    const inside = new Set(catalog.subtree(fresh('31')).map((u) => u.id));
    const share = (id: string) => catalog.linksOutOf(id).reduce((s, l) => s + (inside.has(l.toId) ? l.share : 0), 0);
    const sharesOf = (ids: Iterable<string>) => [...ids].reduce((s, id) => s + share(id), 0);
    const oldLeaves = catalog.units.filter((u) => u.validTo !== null && catalog.isLeaf(u.id)).map((u) => u.id);
    const phòng = sharesOf(
      catalog
        .subtree(old('31'))
        .filter((u) => u.level === 'COMMUNE')
        .map((u) => u.id),
    );
    const all = sharesOf(oldLeaves);
    expect(totalRow).toMatchObject({ unitId: fresh('31'), total: true, complete: false });
    expect(totalRow.coverage.value).toBeCloseTo(phòng / all, 9);
    expect(totalRow.coverage.value).toBeLessThan(0.5);
    expect(totalRow.value).toBeCloseTo(total, 6);
    // New Hải Phòng itself, on the same boundaries, is old Hải Phòng plus old Hải Dương (nothing).
    const city = await one({
      indicators: ['SS_JOBS_CREATED'],
      units: ['31'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
    });
    expect(city.value).toBe(total);
  });

  it("makes new Hải Phòng's 2025 old Hải Phòng's and old Hải Dương's first half plus its own second half", async () => {
    const row = await one({ indicators: ['DF_MIL_RECRUITS'], units: ['31'], periods: ['2025'] });
    expect(row).toMatchObject({ unitId: fresh('31'), value: 1000 + 500 + 700, complete: true });
    // The 2025 target belongs to old Hải Phòng; the new city existed for part of 2025 and has none of
    // its own, nor do its communes.
    expect(row.target).toBeNull();
    const half = await one({
      indicators: ['DF_MIL_RECRUITS'],
      units: ['31'],
      periods: ['2025S1'],
      boundariesAsOf: '2025-07-01',
    });
    expect(half.value).toBe(1500);
  });

  it('takes a STOCK at the end of the period, and its achievement at the end of P', async () => {
    const rows = await ask({
      indicators: ['SS_NEAR_POOR_HH'],
      units: [MAY_CHAI],
      periods: ['2024', '2024S1', '2024Q3', '2024Q4'],
    });
    // Monthly values 99, 98, ..., 91 to September: the year and Q3 end at September's 91, the first
    // half at June's 94; Q4 has nothing.
    expect(rows.map((r) => r.value)).toEqual([91, 94, 91, null]);
    expect(rows.map((r) => r.target)).toEqual([80, 80, 80, 80]);
    // Against the year's 80: 91 / 80 = 113.75%, 94 / 80 = 117.5%.
    expect(rows.map((r) => r.achievementPct)).toEqual([113.75, 117.5, 113.75, null]);
  });

  it('measures a quarter against the year to date', async () => {
    const rows = await ask({
      indicators: ['PB_INSPECTIONS'],
      units: [MAY_CHAI],
      from: '2024Q1',
      to: '2024Q4',
      grain: 'QUARTER',
    });
    expect(rows.map((r) => r.period)).toEqual(['2024Q1', '2024Q2', '2024Q3', '2024Q4']);
    expect(rows.map((r) => r.value)).toEqual([10, 20, 30, null]);
    // Year to date against 100: 10, 10 + 20, 10 + 20 + 30, and still 60 at the end of Q4.
    expect(rows.map((r) => r.achievementPct)).toEqual([10, 30, 60, 60]);
    // The same quarter a year earlier: 2023Q3 was 0, so no percentage (never a division by zero).
    expect(rows[2]).toMatchObject({ samePeriodValue: 0, samePeriodPct: null });
    const year = await one({ indicators: ['PB_INSPECTIONS'], units: [MAY_CHAI], periods: ['2024'] });
    expect(year).toMatchObject({ value: 60, target: 100, achievementPct: 60 });
  });

  it('answers null, never 0, for missing data and a zero denominator', async () => {
    const rows = await ask({
      indicators: ['SS_POOR_RATE', 'AR_TTHC_ONTIME_PCT', 'PB_NEW_MEMBERS'],
      units: [MAY_CHAI],
      periods: ['2024', '2022'],
    });
    const by = Object.fromEntries(rows.map((r) => [`${r.indicator} ${r.period}`, r]));
    // Máy Chai: 0 poor of 0 households.
    expect(by['SS_POOR_RATE 2024']).toMatchObject({ value: null, samePeriodValue: null, samePeriodPct: null });
    expect(by['AR_TTHC_ONTIME_PCT 2024']).toMatchObject({ value: null, target: null, achievementPct: null });
    expect(by['PB_NEW_MEMBERS 2022']).toMatchObject({
      value: null,
      target: null,
      achievementPct: null,
      samePeriodValue: null,
    });
    expect(by['PB_NEW_MEMBERS 2024']).toMatchObject({ value: 20, samePeriodValue: null, samePeriodPct: null });
  });

  it('rolls targets up by rules 1, 3 and 4 but never sums a ratio target', async () => {
    const wards = await ask({ indicators: ['SS_POOR_RATE'], units: ['304'], periods: ['2024'], level: 'COMMUNE' });
    const by = Object.fromEntries(wards.map((r) => [r.unitId, r.target]));
    expect(by[VAN_MY]).toBe(5);
    expect(by[CAU_TRE]).toBe(7);
    const district = await one({ indicators: ['SS_POOR_RATE'], units: ['304'], periods: ['2024'] });
    expect(district.target).toBeNull();
    // A ratio target of the new ward for 2024 is not made of its predecessors' either.
    const ward = await one({
      indicators: ['SS_POOR_RATE'],
      units: ['11329'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
    });
    expect(ward.target).toBeNull();
  });

  it('sums a FLOW over a term and takes a STOCK at its end, against the term target', async () => {
    const rows = await ask({
      indicators: ['PB_THEMATIC_RESOLUTIONS', 'PB_RESOLUTION_TARGETS_MET'],
      units: ['304', '303'],
      periods: ['2020-2025'],
      boundariesAsOf: '2025-06-30',
    });
    const by = Object.fromEntries(rows.map((r) => [`${r.indicator} ${r.unitCode}`, r]));
    // 1 + 2 + 3 + 4 + 5 + 6 = 21 of 30.
    expect(by['PB_THEMATIC_RESOLUTIONS 304']).toMatchObject({ value: 21, target: 30, achievementPct: 70 });
    // Hồng Bàng recorded 12 for the term itself against 10: 120%.
    expect(by['PB_THEMATIC_RESOLUTIONS 303']).toMatchObject({ value: 12, target: 10, achievementPct: 120 });
    // The STOCK's last value in the term is 2025S1's 16, all 16 targets met.
    expect(by['PB_RESOLUTION_TARGETS_MET 304']).toMatchObject({ value: 16, target: 16, achievementPct: 100 });
    // A year inside the term is measured against the term target with the value from the term's start:
    // 2024 is 1 + 2 + 3 + 4 + 5 = 15 of 30.
    const year = await one({ indicators: ['PB_THEMATIC_RESOLUTIONS'], units: ['304'], periods: ['2024'] });
    expect(year).toMatchObject({ value: 5, target: 30, achievementPct: 50 });
  });

  it('groups by term: each row carries its term, or the rows are per term', async () => {
    const withPeriods = await ask({
      indicators: ['PB_THEMATIC_RESOLUTIONS'],
      units: ['304'],
      periods: ['2024', '2025', '2025S2'],
      boundariesAsOf: '2025-06-30',
      groupBy: ['INDICATOR', 'UNIT', 'PERIOD', 'TERM'],
    });
    expect(withPeriods.map((r) => [r.period, r.term])).toEqual([
      ['2024', '2020-2025'],
      ['2025', null],
      ['2025S2', '2025-2030'],
    ]);
    const perTerm = await ask({
      indicators: ['PB_THEMATIC_RESOLUTIONS'],
      units: ['304'],
      from: '2021',
      to: '2024',
      grain: 'YEAR',
      boundariesAsOf: '2025-06-30',
      groupBy: ['INDICATOR', 'UNIT', 'TERM'],
    });
    // Only the requested years of the term: 2 + 3 + 4 + 5 ("Terms, in detail").
    expect(perTerm).toHaveLength(1);
    expect(perTerm[0]).toMatchObject({
      period: '2020-2025',
      periods: ['2021', '2022', '2023', '2024'],
      term: '2020-2025',
      value: 14,
    });
    const terms = await ask({
      indicators: ['PB_THEMATIC_RESOLUTIONS'],
      units: ['304'],
      from: '2015',
      to: '2025',
      grain: 'TERM',
      boundariesAsOf: '2025-06-30',
    });
    expect(terms.map((r) => r.period)).toEqual(['2015-2020', '2020-2025']);
  });

  it('answers per unit at a level, with totals, in a stable order', async () => {
    const rows = await ask({
      indicators: ['PB_NEW_MEMBERS', 'PB_SUPERVISIONS'],
      units: ['304'],
      periods: ['2024', '2023'],
      level: 'COMMUNE',
      totals: true,
    });
    const wards = catalog.children(old('304'));
    expect(rows).toHaveLength(2 * (wards.length * 2 + 2));
    const first = rows.slice(0, wards.length * 2 + 2);
    expect(first.every((r) => r.indicator === 'PB_NEW_MEMBERS')).toBe(true);
    // Wards by code, each with its periods in the order asked, then the totals.
    expect(first.slice(0, 4).map((r) => [r.unitCode, r.period])).toEqual([
      ['11329', '2024'],
      ['11329', '2023'],
      ['11335', '2024'],
      ['11335', '2023'],
    ]);
    const totals = first.filter((r) => r.total);
    expect(totals.map((r) => [r.unitId, r.period])).toEqual([
      [old('304'), '2024'],
      [old('304'), '2023'],
    ]);
    // The total is the wards' sum (20 + 30 + 40 + 60 + 80), not 304's own 254.
    expect(totals[0]!.value).toBe(230);
    expect(totals[1]!.value).toBeNull();
    // Without UNIT in groupBy only the totals come back.
    const onlyTotals = await ask({
      indicators: ['PB_SUPERVISIONS'],
      units: ['304'],
      periods: ['2024'],
      level: 'COMMUNE',
      groupBy: ['INDICATOR', 'PERIOD'],
    });
    expect(onlyTotals).toEqual([
      expect.objectContaining({
        total: true,
        unitId: old('304'),
        value: 1 + 2 + 3 + 4 + 5,
        target: 3 + 6 + 9 + 12 + 14,
      }),
    ]);
    expect(onlyTotals[0]!.achievementPct).toBeCloseTo((100 * 15) / 44, 12);
    // A level above the unit's own gives no rows.
    expect(
      await ask({ indicators: ['PB_NEW_MEMBERS'], units: [MAY_CHAI], periods: ['2024'], level: 'DISTRICT' }),
    ).toEqual([]);
  });

  it('refuses a unit outside the scope with one message whether or not it has figures', async () => {
    const scope = catalog.scopeOf(['304']);
    const refusal = async (code: string): Promise<GraphQLError> =>
      runAggregate(
        store,
        catalog,
        { indicators: ['PB_NEW_MEMBERS'], units: [code], periods: ['2024'] },
        { scope },
      ).then(
        () => {
          throw new Error(`${code} was not refused`);
        },
        (e: GraphQLError) => e,
      );
    const withFigures = await refusal('303');
    const without = await refusal('306');
    expect(withFigures.extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'units' });
    expect(withFigures.message.replace('303', 'X')).toBe(without.message.replace('306', 'X'));
    // The new ward that took 304's wards is in scope, and its predecessors are part of its answer.
    const rows = await ask(
      { indicators: ['PB_SUPERVISIONS'], units: ['11329'], periods: ['2024'], boundariesAsOf: '2025-07-01' },
      scope,
    );
    expect(rows[0]!.value).toBeCloseTo(6 + 4 / 3 + 5 / 2, 12);
  });

  it('names the argument and what arrived in every error', async () => {
    const error = (request: AggregateRequest, maxRows?: number) =>
      runAggregate(store, catalog, request, { maxRows }).then(
        () => {
          throw new Error('no error');
        },
        (e: GraphQLError) => ({ code: e.extensions.code, argument: e.extensions.argument, message: e.message }),
      );
    const base = { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2024'] };
    expect(await error({ ...base, indicators: ['NOPE'] })).toEqual({
      code: 'UNKNOWN_INDICATOR',
      argument: 'indicators',
      message: 'Argument "indicators": no indicator has the code "NOPE"',
    });
    expect(await error({ ...base, periods: ['2024Q5'] })).toMatchObject({
      code: 'INVALID_PERIOD',
      argument: 'periods',
    });
    expect((await error({ ...base, periods: ['2024Q5'] })).message).toContain('"2024Q5"');
    expect(await error({ ...base, periods: undefined, from: '2025', to: '2024', grain: 'YEAR' })).toMatchObject({
      code: 'INVALID_PERIOD',
      argument: 'to',
    });
    expect(await error({ ...base, units: ['99999'] })).toEqual({
      code: 'UNIT_NOT_FOUND',
      argument: 'units',
      message: 'Argument "units": unit "99999" has no version valid on 2024-12-31',
    });
    // Old Ngô Quyền district no longer exists on 2025-12-31: that period's row has no numbers, and says why.
    const series = await runAggregate(store, catalog, { ...base, periods: ['2024', '2025'] });
    expect(series.map((r) => [r.period, r.unitId, r.note === null])).toEqual([
      ['2024', old('304'), true],
      ['2025', old('304'), false],
    ]);
    expect(series[1]).toMatchObject({ value: null, complete: false });
    expect(series[1]!.note).toContain('Unit 304 has no version valid on 2025-12-31 (it ended on 2025-06-30)');
    expect(await error({ ...base, level: 'WARD' as never })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'level',
    });
    expect(await error({ ...base, boundariesAsOf: '2025-02-30' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'boundariesAsOf',
    });
    expect(await error({ ...base, groupBy: ['UNIT', 'CITY' as never] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'groupBy',
    });
    expect(await error({ ...base, from: '2024' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'periods' });
    expect(await error({ ...base, units: ['31'], level: 'COMMUNE' }, 100)).toEqual({
      code: 'RESULT_TOO_LARGE',
      argument: 'query',
      message:
        'The query would return 167 rows, more than the limit of 100; ask for fewer indicators, units, periods or a coarser level',
    });
  });
});
