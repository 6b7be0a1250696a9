import { startTestPlatform, TestPlatform } from '../harness';

// Issue 4: aggregates through the gateway on the demo data, by the rules of DESIGN.md section 3.
let platform: TestPlatform;

interface Row {
  indicator: { code: string };
  unit: { code: string; name: string };
  period: string;
  value: number | null;
  target: number | null;
  achievementPct: number | null;
  samePeriodValue: number | null;
  samePeriodPct: number | null;
  complete: boolean;
}

const QUERY = `query($q: AggregateQuery!) { aggregate(query: $q) { stale rows {
  indicator { code } unit { code name } period value target achievementPct samePeriodValue samePeriodPct complete } } }`;

async function aggregate(q: Record<string, unknown>): Promise<Row[]> {
  const res = await platform.gql<{ aggregate: { rows: Row[]; stale: boolean } }>(QUERY, { q });
  expect(res.errors).toBeUndefined();
  expect(res.data!.aggregate.stale).toBe(false);
  return res.data!.aggregate.rows;
}

const one = async (q: Record<string, unknown>): Promise<Row> => {
  const rows = await aggregate(q);
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(() => platform?.stop());

it('reproduces the seed report for Ngô Quyền district, 2025S1', async () => {
  const rows = await aggregate({
    indicators: ['PB_NEW_MEMBERS', 'PB_ORGS_ESTABLISHED', 'EB_BUDGET_REV', 'EB_NONSTATE_TAX'],
    units: ['304'],
    periods: ['2025S1'],
  });
  const by = Object.fromEntries(rows.map((r) => [r.indicator.code, r]));
  expect(by.PB_NEW_MEMBERS).toMatchObject({ value: 254, target: 271 });
  expect(by.PB_NEW_MEMBERS!.achievementPct!.toFixed(1)).toBe('93.7');
  expect(by.PB_ORGS_ESTABLISHED).toMatchObject({ value: 5, target: 4, achievementPct: 125 });
  expect(by.EB_BUDGET_REV!.achievementPct!.toFixed(0)).toBe('54');
  expect(by.EB_BUDGET_REV!.samePeriodPct!.toFixed(1)).toBe('197.9');
  expect(by.EB_NONSTATE_TAX!.achievementPct!.toFixed(2)).toBe('56.43');
  expect(by.EB_NONSTATE_TAX!.samePeriodPct!.toFixed(1)).toBe('114.3');
});

it('makes the city row of Hải Phòng 2024 the sum of its districts for a FLOW indicator', async () => {
  const districts = await aggregate({
    indicators: ['PB_NEW_MEMBERS'],
    units: ['31'],
    periods: ['2024'],
    level: 'DISTRICT',
  });
  expect(districts.length).toBe(15);
  const city = await one({ indicators: ['PB_NEW_MEMBERS'], units: ['31'], periods: ['2024'] });
  expect(city.value).toBe(districts.reduce((s, r) => s + (r.value ?? 0), 0));
});

it('recomputes a RATIO at city level from summed numerator and denominator, not an average', async () => {
  const ratio = await aggregate({ indicators: ['SS_POOR_RATE'], units: ['31'], periods: ['2024'], level: 'DISTRICT' });
  const [num, den] = await Promise.all([
    one({ indicators: ['SS_POOR_HH'], units: ['31'], periods: ['2024'] }),
    one({ indicators: ['SS_HOUSEHOLDS'], units: ['31'], periods: ['2024'] }),
  ]);
  const city = await one({ indicators: ['SS_POOR_RATE'], units: ['31'], periods: ['2024'] });
  expect(city.value).toBeCloseTo((100 * num.value!) / den.value!, 9);
  const average = ratio.reduce((s, r) => s + r.value!, 0) / ratio.length;
  expect(Math.abs(city.value! - average)).toBeGreaterThan(1e-6);
});

it('lands old wards on the new Ngô Quyền ward by the lineage shares (2024 on 2025-07-01 boundaries)', async () => {
  const old = await aggregate({
    indicators: ['PB_NEW_MEMBERS'],
    units: ['11329', '11335', '11338', '11341', '11350'],
    periods: ['2024'],
  });
  const v = Object.fromEntries(old.map((r) => [r.unit.code, r.value!]));
  const expected = v['11329']! + v['11335']! + v['11338']! + v['11341']! / 3 + v['11350']! / 2;
  const remapped = await one({
    indicators: ['PB_NEW_MEMBERS'],
    units: ['11329'],
    periods: ['2024'],
    boundariesAsOf: '2025-07-01',
  });
  expect(remapped.unit.name).toBe('Ngô Quyền');
  expect(remapped.value).toBeCloseTo(expected, 9);
});

it('keeps the city total when remapping onto the new boundaries', async () => {
  const newCity = await one({
    indicators: ['PB_NEW_MEMBERS'],
    units: ['31'],
    periods: ['2024'],
    boundariesAsOf: '2025-07-01',
  });
  const oldCities = await aggregate({ indicators: ['PB_NEW_MEMBERS'], units: ['31', '30'], periods: ['2024'] });
  expect(newCity.value).toBeCloseTo(
    oldCities.reduce((s, r) => s + r.value!, 0),
    6,
  );
  const communes = await aggregate({
    indicators: ['PB_NEW_MEMBERS'],
    units: ['31'],
    periods: ['2024'],
    boundariesAsOf: '2025-07-01',
    level: 'COMMUNE',
  });
  expect(communes.length).toBe(114);
});

it('says complete: false when a district figure could not be split onto a new ward', async () => {
  // District 304 recorded its own 2024S1 revenue, which no ward inherits.
  const row = await one({
    indicators: ['EB_BUDGET_REV'],
    units: ['11329'],
    periods: ['2024'],
    boundariesAsOf: '2025-07-01',
  });
  expect(row.complete).toBe(false);
});

it("adds new Hải Phòng's own 2025S2 to old Hải Phòng's and old Hải Dương's 2025S1", async () => {
  const year = await one({ indicators: ['PB_NEW_MEMBERS'], units: ['31'], periods: ['2025'] });
  const firstHalf = await aggregate({ indicators: ['PB_NEW_MEMBERS'], units: ['31', '30'], periods: ['2025S1'] });
  const secondHalf = await one({ indicators: ['PB_NEW_MEMBERS'], units: ['31'], periods: ['2025S2'] });
  expect(firstHalf.map((r) => r.unit.code).sort()).toEqual(['30', '31']);
  expect(year.value).toBeCloseTo(firstHalf.reduce((s, r) => s + r.value!, 0) + secondHalf.value!, 6);
});

it('gives null, not 0, where nothing was recorded', async () => {
  const row = await one({ indicators: ['PB_NEW_MEMBERS'], units: ['01'], periods: ['2024'] });
  expect(row.value).toBeNull();
  expect(row.achievementPct).toBeNull();
});
