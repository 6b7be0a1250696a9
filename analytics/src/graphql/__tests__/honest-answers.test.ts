import { rmSync } from 'node:fs';
import { RunningDomainService } from '@lgr/observations';
import { staticCatalog } from '@lgr/kit';
import { AnalyticsServer, start } from '../..';
import { ask, realCatalog, record, rootOf, SECRET, startDomain, tempDir, U } from '../../__tests__/helpers';

const AGGREGATE = `query($q: AggregateQuery!) { aggregate(query: $q) { rows {
  unit { id } period periods value complete coverage { value target yearToDate samePeriod } targetMet note total } } }`;
const STATUS = `query($unit: String!, $period: String!) { reportingStatus(indicator: "PB_NEW_MEMBERS", unit: $unit, period: $period) {
  unit { id } level boundariesAsOf expected actual rate coverage
  reported { unit { id } value coverage } partial { unit { id } value coverage } missing { unit { id } value coverage } } }`;

/*
 * DESIGN.md 3 rule 9 through the analytics subgraph: coverage on every row and AdminUnit.indicator
 * value, the reporting status of a district's wards, and series across the reform.
 */
describe('honest answers over HTTP', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;
  const catalog = realCatalog();
  const wards = catalog.children(U.ngoQuyen).map((w) => w.id);

  beforeAll(async () => {
    party = await startDomain('party', dir);
    await record(party, 'party', [
      // Two of 304's eight wards report all of 2025S1, a third reports one quarter of it.
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.vanMy, period: '2025S1', value: 20 },
      { indicator: 'PB_NEW_MEMBERS', unit: '11338', period: '2025Q1', value: 4 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2024S1', value: 124 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
    ]);
    analytics = await start({
      port: 0,
      dataDir: dir,
      databasePath: ':memory:',
      internalSecret: SECRET,
      catalog: staticCatalog(catalog),
      feeds: [{ name: 'party' as const, url: rootOf(party.url) }],
      syncIntervalMs: 50,
      logLevel: 'silent',
    });
    await analytics.caughtUp();
  });

  afterAll(async () => {
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every row and total its coverage, and complete only when everything was reported', async () => {
    const r = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'], level: 'COMMUNE', totals: true },
    });
    expect(r.errors).toBeUndefined();
    const rows = r.data.aggregate.rows;
    const byUnit = new Map(rows.filter((x: any) => !x.total).map((x: any) => [x.unit.id, x]));
    expect(byUnit.get(U.mayChai)).toMatchObject({ value: 30, complete: true, coverage: { value: 1 } });
    expect(byUnit.get('11338@2000-01-01')).toMatchObject({ value: 4, complete: false, coverage: { value: 0.5 } });
    const total = rows.find((x: any) => x.total);
    // 2 wards whole and a quarter of a half-year of a third: 2.5 of 8 wards' half-years.
    expect(total).toMatchObject({ unit: { id: U.ngoQuyen }, value: 54, complete: false });
    expect(total.coverage.value).toBeCloseTo(2.5 / 8, 12);
    // A total sums its rows: the wards have no targets and no 2024S1 figures of their own.
    expect(total.coverage.target).toBe(0);
    expect(total.coverage.samePeriod).toBe(0);
    // The district's row: its own target and its own 2024S1 figure cover those numbers whole.
    const own = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] },
    });
    expect(own.data.aggregate.rows[0]).toMatchObject({
      value: 54,
      targetMet: false,
      coverage: { value: 2.5 / 8, target: 1, yearToDate: 2.5 / 8, samePeriod: 1 },
    });
  });

  it("lists who has not reported yet among a district's wards", async () => {
    const r = await ask(analytics.url, STATUS, { unit: '304', period: '2025S1' });
    expect(r.errors).toBeUndefined();
    const s = r.data.reportingStatus;
    expect(s).toMatchObject({
      unit: { id: U.ngoQuyen },
      level: 'COMMUNE',
      boundariesAsOf: '2025-06-30',
      expected: 8,
      actual: 2,
      rate: 0.25,
    });
    expect(s.reported.map((u: any) => u.unit.id)).toEqual([U.mayChai, U.vanMy]);
    expect(s.partial).toEqual([{ unit: { id: '11338@2000-01-01' }, value: 4, coverage: 0.5 }]);
    expect(s.missing.map((u: any) => u.unit.id).sort()).toEqual(
      wards.filter((w) => ![U.mayChai, U.vanMy, '11338@2000-01-01'].includes(w)).sort(),
    );
    expect(s.missing.every((u: any) => u.value === null && u.coverage === 0)).toBe(true);
  });

  it('answers a series across the reform with a row and a reason where the code has no version', async () => {
    const q = { indicators: ['PB_NEW_MEMBERS'], units: ['304'], from: '2024S1', to: '2025S2', grain: 'SIX_MONTH' };
    const r = await ask(analytics.url, AGGREGATE, { q });
    expect(r.errors).toBeUndefined();
    const rows = r.data.aggregate.rows;
    expect(rows.map((x: any) => [x.period, x.unit.id, x.value])).toEqual([
      ['2024S1', U.ngoQuyen, 124],
      ['2024S2', U.ngoQuyen, null],
      ['2025S1', U.ngoQuyen, 54],
      ['2025S2', U.ngoQuyen, null],
    ]);
    expect(rows[3].note).toContain('Unit 304 has no version valid on 2025-12-31 (it ended on 2025-06-30)');
    expect(rows.slice(0, 3).every((x: any) => x.note === null)).toBe(true);
    // AdminUnit.indicator for the same version gives the same answer.
    const e = await ask(
      analytics.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { a: indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value coverage { value } note }
        b: indicator(code: "PB_NEW_MEMBERS", period: "2025S2") { value complete note } } } }`,
      { reps: [{ __typename: 'AdminUnit', id: U.ngoQuyen }] },
    );
    expect(e.errors).toBeUndefined();
    expect(e.data._entities[0].a).toEqual({ value: 54, coverage: { value: 2.5 / 8 }, note: null });
    expect(e.data._entities[0].b).toMatchObject({ value: null, complete: false });
    expect(e.data._entities[0].b.note).toContain('no version valid on 2025-12-31');
  });
});
