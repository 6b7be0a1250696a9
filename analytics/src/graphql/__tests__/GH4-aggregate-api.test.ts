import { rmSync } from 'node:fs';
import { RunningDomainService } from '@lgr/observations';
import { staticCatalog } from '@lgr/kit';
import { AnalyticsServer, start } from '../..';
import { ask, identity, realCatalog, record, rootOf, SECRET, startDomain, tempDir, U } from '../../__tests__/helpers';

const ROW_FIELDS =
  'indicator { code } unit { id } period term value target achievementPct samePeriodValue samePeriodPct complete total boundariesAsOf';
const AGGREGATE = `query($q: AggregateQuery!) { aggregate(query: $q) { rows { ${ROW_FIELDS} } sources { name lastSeq lastSyncedAt stale error } stale } }`;

describe('GH4 aggregate API over HTTP', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let economy: RunningDomainService;
  let analytics: AnalyticsServer;
  let slow: AnalyticsServer;

  beforeAll(async () => {
    party = await startDomain('party', dir);
    economy = await startDomain('economy', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_ORGS_ESTABLISHED', unit: U.ngoQuyen, period: '2025S1', value: 5 },
      { indicator: 'PB_ORGS_ESTABLISHED', unit: U.ngoQuyen, period: '2025', target: 4 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 99 },
    ]);
    await record(economy, 'economy', [
      { indicator: 'EB_BUDGET_REV', unit: U.ngoQuyen, period: '2025S1', value: 540 },
      { indicator: 'EB_BUDGET_REV', unit: U.ngoQuyen, period: '2024S1', value: 272.87 },
      { indicator: 'EB_BUDGET_REV', unit: U.ngoQuyen, period: '2025', target: 1000 },
    ]);
    const common = {
      port: 0,
      dataDir: dir,
      databasePath: ':memory:',
      internalSecret: SECRET,
      catalog: staticCatalog(realCatalog()),
      feeds: [
        { name: 'party' as const, url: rootOf(party.url) },
        { name: 'economy' as const, url: rootOf(economy.url) },
      ],
      syncIntervalMs: 50,
      logLevel: 'silent',
    };
    analytics = await start(common);
    slow = await start({ ...common, queryTimeoutMs: 1 });
    await Promise.all([analytics.caughtUp(), slow.caughtUp()]);
  });

  afterAll(async () => {
    await Promise.all([analytics?.close(), slow?.close()]);
    await Promise.all([party?.close(), economy?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the contract fields of an aggregate, with the sources it comes from', async () => {
    const r = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['PB_NEW_MEMBERS', 'EB_BUDGET_REV'], units: ['304'], periods: ['2025S1'] },
    });
    expect(r.errors).toBeUndefined();
    const rows = r.data.aggregate.rows;
    expect(rows).toHaveLength(2);
    const members = rows.find((x: any) => x.indicator.code === 'PB_NEW_MEMBERS');
    expect(members).toMatchObject({
      unit: { id: U.ngoQuyen },
      period: '2025S1',
      term: null,
      value: 254,
      target: 271,
      samePeriodValue: null,
      samePeriodPct: null,
      complete: true,
      total: false,
      boundariesAsOf: '2025-06-30',
    });
    expect(Number(members.achievementPct.toFixed(1))).toBe(93.7);
    const budget = rows.find((x: any) => x.indicator.code === 'EB_BUDGET_REV');
    expect(budget.achievementPct).toBeCloseTo(54, 6);
    expect(budget.samePeriodValue).toBe(272.87);
    expect(Number(budget.samePeriodPct.toFixed(1))).toBe(197.9);
    expect(r.data.aggregate.stale).toBe(false);
    expect(r.data.aggregate.sources).toEqual([
      {
        name: 'party',
        lastSeq: expect.any(Number),
        lastSyncedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        stale: false,
        error: null,
      },
      {
        name: 'economy',
        lastSeq: expect.any(Number),
        lastSyncedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        stale: false,
        error: null,
      },
    ]);
  });

  it('breaks a unit down by level with entity references for every row', async () => {
    const r = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'], level: 'COMMUNE', totals: true },
    });
    expect(r.errors).toBeUndefined();
    const rows = r.data.aggregate.rows;
    const wards = rows.filter((x: any) => !x.total);
    expect(wards).toHaveLength(8);
    expect(wards.find((x: any) => x.unit.id === U.mayChai).value).toBe(30);
    expect(rows.filter((x: any) => x.total)).toHaveLength(1);
  });

  it('resolves AdminUnit entities and their indicator field', async () => {
    const r = await ask(
      analytics.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value target achievementPct samePeriodValue samePeriodPct complete } } } }`,
      { reps: [{ __typename: 'AdminUnit', id: U.ngoQuyen }] },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data._entities[0].id).toBe(U.ngoQuyen);
    expect(r.data._entities[0].indicator).toMatchObject({
      value: 254,
      target: 271,
      samePeriodValue: null,
      complete: true,
    });
    expect(r.data._entities[0].indicator.achievementPct).toBeCloseTo(93.727, 2);
  });

  it('answers AdminUnit.indicator for hundreds of references with one engine run', async () => {
    const communes = realCatalog()
      .validOn('2025-06-30', 'COMMUNE')
      .filter((u) => u.parentId && realCatalog().get(u.parentId)!.parentId === U.haiPhong)
      .slice(0, 150);
    expect(communes.length).toBe(150);
    const reps = [...communes, ...communes].map((u) => ({ __typename: 'AdminUnit', id: u.id }));
    const before = analytics.engineRuns();
    const r = await ask(
      analytics.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id a: indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value } b: indicator(code: "PB_ORGS_ESTABLISHED", period: "2025S1") { value } } } }`,
      { reps },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data._entities).toHaveLength(300);
    expect(analytics.engineRuns() - before).toBe(1);
    expect(r.data._entities.find((e: any) => e.id === U.mayChai).a).toEqual({ value: 30 });
  });

  it('refuses a viewer units outside their scope without telling whether they exist', async () => {
    const viewer = identity('viewer', ['304']);
    const own = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] } },
      viewer,
    );
    expect(own.data.aggregate.rows[0].value).toBe(254);
    const other = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['305'], periods: ['2025S1'] } },
      viewer,
    );
    const none = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['99999'], periods: ['2025S1'] } },
      viewer,
    );
    for (const [answer, unit] of [
      [other, '305'],
      [none, '99999'],
    ] as const) {
      expect(answer.data).toEqual({ aggregate: null });
      expect(answer.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      expect(answer.errors![0]!.message).toBe(`Argument "units": you are not allowed to read unit "${unit}"`);
    }
    const city = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['31'], periods: ['2025S1'] } },
      viewer,
    );
    expect(city.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('tells an admin that a unit does not exist', async () => {
    const r = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['PB_NEW_MEMBERS'], units: ['99999'], periods: ['2025S1'] },
    });
    expect(r.errors![0]!.extensions!.code).toBe('UNIT_NOT_FOUND');
  });

  it('answers AdminUnit.indicator with null and FORBIDDEN for units outside the scope, and values for the rest', async () => {
    const r = await ask(
      analytics.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value } } } }`,
      { reps: [U.ngoQuyen, U.leChan, U.mayChai].map((id) => ({ __typename: 'AdminUnit', id })) },
      identity('viewer', ['304']),
    );
    expect(r.data._entities.map((e: any) => e.indicator)).toEqual([{ value: 254 }, null, { value: 30 }]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['_entities', 1, 'indicator'], extensions: { code: 'FORBIDDEN' } });
  });

  it('fails only the field of an unknown indicator or a bad period', async () => {
    const r = await ask(
      analytics.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { a: indicator(code: "NOPE", period: "2025S1") { value } b: indicator(code: "PB_NEW_MEMBERS", period: "2025X9") { value } c: indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value } } } }`,
      { reps: [{ __typename: 'AdminUnit', id: U.ngoQuyen }] },
    );
    expect(r.data._entities[0]).toEqual({ a: null, b: null, c: { value: 254 } });
    expect(r.errors!.map((e) => e.extensions!.code).sort()).toEqual(['INVALID_PERIOD', 'UNKNOWN_INDICATOR']);
  });

  it('refuses roles that may not read figures', async () => {
    const r = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] } },
      identity('service'),
    );
    expect(r.data).toEqual({ aggregate: null });
    expect(r.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('answers an anonymous caller the published indicators for any unit, and nothing else', async () => {
    const anonymous = { sub: 'anonymous', role: 'public' as const, units: [], indicators: ['PB_NEW_MEMBERS'] };
    const published = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['304', '305'], periods: ['2025S1'] } },
      anonymous,
    );
    expect(published.errors).toBeUndefined();
    expect(published.data.aggregate.rows.map((x: any) => x.value)).toEqual([254, 99]);
    const other = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS', 'EB_BUDGET_REV'], units: ['304'], periods: ['2025S1'] } },
      anonymous,
    );
    expect(other.data).toEqual({ aggregate: null });
    expect(other.errors![0]).toMatchObject({
      message: 'You are not allowed to read the indicator EB_BUDGET_REV',
      extensions: { code: 'FORBIDDEN' },
    });
    const entity = await ask(
      analytics.url,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { a: indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value } b: indicator(code: "EB_BUDGET_REV", period: "2025S1") { value } } } }`,
      { reps: [{ __typename: 'AdminUnit', id: U.leChan }] },
      anonymous,
    );
    expect(entity.data._entities[0]).toEqual({ a: { value: 99 }, b: null });
    expect(entity.errors!.map((e) => e.extensions!.code)).toEqual(['FORBIDDEN']);
  });

  it('keeps a viewer whose identity names indicators to those indicators', async () => {
    const limited = { ...identity('viewer', ['304']), indicators: ['EB_BUDGET_REV'] };
    const r = await ask(
      analytics.url,
      AGGREGATE,
      { q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] } },
      limited,
    );
    expect(r.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('validates the query and names what is wrong', async () => {
    const bad = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025H1'] },
    });
    expect(bad.errors![0]!.extensions!.code).toBe('INVALID_PERIOD');
    const unknown = await ask(analytics.url, AGGREGATE, {
      q: { indicators: ['NOPE'], units: ['304'], periods: ['2025'] },
    });
    expect(unknown.errors![0]!.extensions!.code).toBe('UNKNOWN_INDICATOR');
    const huge = await ask(analytics.url, AGGREGATE, {
      q: {
        indicators: ['PB_NEW_MEMBERS'],
        units: Array.from({ length: 1001 }, (_, i) => String(i)),
        periods: ['2025'],
      },
    });
    expect(huge.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('interrupts an aggregate that runs past QUERY_TIMEOUT_MS with a TIMEOUT error', async () => {
    const r = await ask(slow.url, AGGREGATE, {
      q: {
        indicators: ['PB_NEW_MEMBERS', 'PB_ORGS_ESTABLISHED'],
        units: ['31'],
        from: '202001',
        to: '202506',
        grain: 'MONTH',
        level: 'COMMUNE',
      },
    });
    expect(r.data).toEqual({ aggregate: null });
    expect(r.errors![0]!.extensions!.code).toBe('TIMEOUT');
  });

  it('is refused without a forwarded identity', async () => {
    const res = await fetch(analytics.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(401);
  });
});
