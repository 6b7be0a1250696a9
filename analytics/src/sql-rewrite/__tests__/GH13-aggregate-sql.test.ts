import { rmSync } from 'node:fs';
import type { RunningDomainService } from '@lgr/observations';
import { AnalyticsServer, SqlAnswer } from '../..';
import {
  ask,
  identity,
  postJson,
  record,
  rootOf,
  startAnalytics,
  startDomain,
  tempDir,
  U,
} from '../../__tests__/helpers';

const ROW_FIELDS =
  'indicator { code } unit { id } period value target achievementPct samePeriodValue samePeriodPct complete boundariesAsOf';
const AGGREGATE = `query($q: AggregateQuery!) { aggregate(query: $q) { rows { ${ROW_FIELDS} } } }`;

describe('GH13 aggregate(...) in analysts SQL gives the engine answers', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;
  let sqlUrl: string;
  const admin = identity('admin');

  beforeAll(async () => {
    party = await startDomain('party', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2024S1', value: 124 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.vanMy, period: '2025S1', value: 20 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2024S2', value: 18 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 99 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.newNgoQuyenWard, period: '2025S2', value: 7 },
    ]);
    analytics = await startAnalytics(dir, { party });
    sqlUrl = `${rootOf(analytics.url)}/sql`;
  });

  afterAll(async () => {
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sql(text: string, who = admin): Promise<{ status: number; body: any }> {
    const res = await postJson(sqlUrl, { sql: text }, who);
    return { status: res.status, body: await res.json() };
  }

  function objects(answer: SqlAnswer): Record<string, unknown>[] {
    return answer.rows.map((row) => Object.fromEntries(answer.columns.map((c, i) => [c.name, row[i]])));
  }

  it.each([
    [
      'one district, one period',
      { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] },
      "aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])",
    ],
    [
      'a level breakdown over two periods',
      { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2024S2', '2025S1'], level: 'COMMUNE' },
      "aggregate(['PB_NEW_MEMBERS'], ['304'], ['2024S2', '2025S1'], level := 'COMMUNE')",
    ],
    [
      'the boundaries of another date',
      { indicators: ['PB_NEW_MEMBERS'], units: ['11329'], periods: ['2025'], boundariesAsOf: '2025-07-01' },
      "aggregate(['PB_NEW_MEMBERS'], ['11329'], ['2025'], boundaries_as_of = '2025-07-01')",
    ],
  ])('%s: the same rows and numbers as GraphQL aggregate', async (_, query, call) => {
    const graphql = await ask(analytics.url, AGGREGATE, { q: query }, admin);
    expect(graphql.errors).toBeUndefined();
    const expected = graphql.data.aggregate.rows.map((r: any) => ({
      indicator: r.indicator.code,
      unit_id: r.unit.id,
      unit_code: r.unit.id.split('@')[0],
      period: r.period,
      value: r.value,
      target: r.target,
      achievement_pct: r.achievementPct,
      same_period_value: r.samePeriodValue,
      same_period_pct: r.samePeriodPct,
      complete: r.complete,
      boundaries_as_of: r.boundariesAsOf,
    }));
    expect(expected.length).toBeGreaterThan(0);
    const { status, body } = await sql(
      `SELECT indicator, unit_id, unit_code, period, value, target, achievement_pct, same_period_value, same_period_pct, complete, CAST(boundaries_as_of AS VARCHAR) AS boundaries_as_of FROM ${call}`,
    );
    expect(status).toBe(200);
    expect(objects(body)).toEqual(expected);
  });

  it('has the contract columns first, coverage_value among them', async () => {
    const { body } = await sql("SELECT * FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])");
    expect(body.columns.slice(0, 11).map((c: any) => c.name)).toEqual([
      'indicator',
      'unit_code',
      'unit_id',
      'period',
      'value',
      'target',
      'achievement_pct',
      'same_period_value',
      'same_period_pct',
      'complete',
      'coverage_value',
    ]);
    expect(objects(body)[0]).toMatchObject({ value: 254, target: 271, unit_name: 'Ngô Quyền', complete: true });
  });

  it('the natural query over aggregate gives 254 where a SUM over recorded figures gives more', async () => {
    const rolled = await sql("SELECT sum(value) AS v FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])");
    expect(rolled.body.rows).toEqual([[254]]);
    const recorded = await sql(
      "SELECT sum(o.value) AS v FROM observations o JOIN unit_tree t ON t.descendant_id = o.unit_id WHERE t.ancestor_id = '304@2000-01-01' AND o.indicator = 'PB_NEW_MEMBERS' AND o.period = '2025S1'",
    );
    expect(recorded.body.rows).toEqual([[304]]);
  });

  it('works in joins, CTEs and subqueries, twice in one query, and with public. and aliases', async () => {
    const { status, body } = await sql(`
      WITH wards AS (SELECT * FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'], level := 'COMMUNE'))
      SELECT u.name, w.value, d.v AS district
      FROM wards w JOIN public.units u ON u.id = w.unit_id
      CROSS JOIN (SELECT value AS v FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])) d
      WHERE w.value IS NOT NULL ORDER BY w.value DESC`);
    expect(status).toBe(200);
    expect(body.rows).toEqual([
      ['Máy Chai', 30, 254],
      ['Vạn Mỹ', 20, 254],
    ]);
    const aliased = await sql(
      "SELECT a.v FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1']) AS a(i, c, id, p, v)",
    );
    expect(aliased.body.rows).toEqual([[254]]);
  });

  it('keeps apart the two territories of a reused code: the views carry the unit version', async () => {
    const { body } = await sql(
      "SELECT unit_label, unit_valid_from, sum(value) AS v FROM observations WHERE unit_code = '11329' GROUP BY ALL ORDER BY unit_valid_from",
    );
    expect(body.rows).toEqual([
      ['Máy Chai (11329, 2000-01-01 - 2025-06-30)', '2000-01-01', 48],
      ['Ngô Quyền (11329, 2025-07-01 - )', '2025-07-01', 7],
    ]);
  });

  it("applies the caller's scope: an analyst of 305 cannot read 304, one of 304 can", async () => {
    const outside = await sql(
      "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])",
      identity('analyst', ['305']),
    );
    expect(outside.status).toBe(403);
    expect(outside.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(outside.body.errors[0].message).toMatch(/not allowed to read unit "304"/);
    const inside = await sql(
      "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])",
      identity('analyst', ['304']),
    );
    expect(inside.body.rows).toEqual([[254]]);
    const viewer = await sql(
      "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])",
      identity('viewer', ['304']),
    );
    expect(viewer.status).toBe(403);
  });

  it.each([
    ["aggregate(['PB_NEW_MEMBERS'], [unit_code], ['2025S1'])", /argument "units" must be written as literals/],
    [
      "aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'], level := lower('x'))",
      /argument "level" must be written as literals/,
    ],
    ["aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'], colour := 'red')", /no argument "colour"/],
    ["aggregate(['PB_NEW_MEMBERS'], ['304'])", /needs "periods", or "from" and "to"/],
    [
      "aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'], level := 'GALAXY')",
      /"level" must be one of PROVINCE, DISTRICT, COMMUNE/,
    ],
    [
      "aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'], boundaries_as_of := 'soon')",
      /"boundaries_as_of" must be a date/,
    ],
    ["aggregate([], ['304'], ['2025S1'])", /"indicators" is an empty list/],
    ["main.aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])", /may not be qualified/],
    ["read_csv('/etc/passwd')", /Table functions are not allowed \(read_csv\)/],
  ])('refuses %s naming what is wrong', async (call, message) => {
    const { status, body } = await sql(`SELECT * FROM ${call}`);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('SQL_REJECTED');
    expect(body.errors[0].message).toMatch(message);
  });

  it('refuses more than 8 calls in one query, and still checks the rest of the query', async () => {
    const many = Array.from(
      { length: 9 },
      () => "SELECT value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])",
    ).join(' UNION ALL ');
    expect((await sql(many)).body.errors[0].message).toMatch(/at most 8 times/);
    const sneaky = await sql("SELECT getenv('HOME'), value FROM aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])");
    expect(sneaky.body.errors[0].message).toMatch(/getenv\(\) is not allowed/);
  });

  it('passes engine errors on with their code', async () => {
    const { body } = await sql("SELECT * FROM aggregate(['NOT_AN_INDICATOR'], ['304'], ['2025S1'])");
    expect(body.errors[0].extensions.code).toBe('UNKNOWN_INDICATOR');
  });
});
