import { rmSync } from 'node:fs';
import { staticCatalog } from '@lgr/kit';
import { RunningDomainService } from '@lgr/observations';
import { AnalyticsServer, start } from '../..';
import {
  ask,
  eventually,
  identity,
  postJson,
  realCatalog,
  record,
  rootOf,
  SECRET,
  startAnalytics,
  startDomain,
  tempDir,
  U,
} from '../../__tests__/helpers';

const AGGREGATE = `query($q: AggregateQuery!) { aggregate(query: $q) { rows { unit { id } period value target achievementPct complete } sources { name lastSeq stale error } stale } }`;
const ENTITIES = `query($reps: [_Any!]!, $code: String!) { _entities(representations: $reps) { ... on AdminUnit { id indicator(code: $code, period: "2025S1") { value } } } }`;

const q = (units: string[], extra: Record<string, unknown> = {}) => ({
  q: { indicators: ['PB_NEW_MEMBERS'], units, periods: ['2025S1'], ...extra },
});

describe('the cache of aggregate answers', () => {
  const dir = tempDir();
  let party: RunningDomainService;
  let analytics: AnalyticsServer;

  beforeAll(async () => {
    party = await startDomain('party', dir);
    await record(party, 'party', [
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025S1', value: 254 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.ngoQuyen, period: '2025', target: 271 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 30 },
      { indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 99 },
    ]);
    analytics = await startAnalytics(dir, { party });
  });

  afterAll(async () => {
    await analytics?.close();
    await party?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers an identical request from the cache, without running the engine', async () => {
    const runs = analytics.engineRuns();
    const first = await ask(analytics.url, AGGREGATE, q(['304'], { level: 'COMMUNE', totals: true }));
    expect(first.errors).toBeUndefined();
    expect(analytics.engineRuns()).toBe(runs + 1);
    const hits = analytics.cacheStats().hits;
    const second = await ask(analytics.url, AGGREGATE, q(['304'], { level: 'COMMUNE', totals: true }));
    expect(second).toEqual(first);
    expect(analytics.engineRuns()).toBe(runs + 1);
    expect(analytics.cacheStats().hits).toBe(hits + 1);
    // Another question is another answer.
    await ask(analytics.url, AGGREGATE, q(['304'], { level: 'COMMUNE' }));
    expect(analytics.engineRuns()).toBe(runs + 2);
  });

  it('shows a figure written to a domain subgraph in the next answer after the sync', async () => {
    const before = await ask(analytics.url, AGGREGATE, q(['305']));
    expect(before.data.aggregate.rows[0].value).toBe(99);
    await record(party, 'party', [{ indicator: 'PB_NEW_MEMBERS', unit: U.leChan, period: '2025S1', value: 120 }]);
    // The feed is polled every 50 ms; the new figure must show within 2 s of being acknowledged.
    const after = await eventually(async () => {
      const r = await ask(analytics.url, AGGREGATE, q(['305']));
      return r.data.aggregate.rows[0].value === 120 ? r : undefined;
    }, 2000);
    expect(after.data.aggregate.rows[0].value).toBe(120);
    // And the city's total, cached before the write for another question, moves with it.
    const city = await ask(analytics.url, AGGREGATE, q(['31']));
    expect(city.data.aggregate.rows[0].value).toBe(254 + 120);
  });

  it('shows a fact applied to the store in the very next answer', async () => {
    await ask(analytics.url, AGGREGATE, q(['304']));
    const version = analytics.store.version;
    await analytics.store.applyChanges(
      'party',
      [{ seq: 1_000_000, indicator: 'PB_NEW_MEMBERS', unitId: U.ngoQuyen, period: '2025S1', value: 260, target: null }],
      1_000_000,
    );
    expect(analytics.store.version).toBe(version + 1);
    const r = await ask(analytics.url, AGGREGATE, q(['304']));
    expect(r.data.aggregate.rows[0].value).toBe(260);
  });

  it('never hands one scope an answer kept for another', async () => {
    const ngoQuyen = identity('viewer', ['304']);
    const own = await ask(analytics.url, AGGREGATE, q(['304']), ngoQuyen);
    expect(own.data.aggregate.rows[0].value).not.toBeNull();
    // The same question from a caller whose units are elsewhere is refused as it always was.
    const leChan = identity('viewer', ['305']);
    for (const who of [leChan, identity('analyst', ['305'])]) {
      const refused = await ask(analytics.url, AGGREGATE, q(['304']), who);
      expect(refused.data).toEqual({ aggregate: null });
      expect(refused.errors![0]).toMatchObject({
        message: 'Argument "units": you are not allowed to read unit "304"',
        extensions: { code: 'FORBIDDEN' },
      });
    }
    // The city, kept for an admin, stays out of a viewer's reach.
    await ask(analytics.url, AGGREGATE, q(['31']));
    const city = await ask(analytics.url, AGGREGATE, q(['31']), ngoQuyen);
    expect(city.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    // A unit that does not exist is refused to a restricted caller like one outside the scope.
    const none = await ask(analytics.url, AGGREGATE, q(['99999']), ngoQuyen);
    expect(none.errors![0]).toMatchObject({
      message: 'Argument "units": you are not allowed to read unit "99999"',
      extensions: { code: 'FORBIDDEN' },
    });
    // Another caller with the same units shares the kept answer.
    const runs = analytics.engineRuns();
    const colleague = await ask(analytics.url, AGGREGATE, q(['304']), {
      ...identity('viewer', ['304']),
      sub: 'a colleague',
    });
    expect(colleague.data).toEqual(own.data);
    expect(analytics.engineRuns()).toBe(runs);
  });

  it('keeps each AdminUnit.indicator value, computes only what it has not seen, and still refuses units outside the scope', async () => {
    const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'AdminUnit', id }));
    const runs = analytics.engineRuns();
    const first = await ask(analytics.url, ENTITIES, {
      reps: reps([U.ngoQuyen, U.mayChai]),
      code: 'PB_ORGS_ESTABLISHED',
    });
    expect(first.errors).toBeUndefined();
    expect(analytics.engineRuns()).toBe(runs + 1);
    const again = await ask(analytics.url, ENTITIES, {
      reps: reps([U.mayChai, U.ngoQuyen]),
      code: 'PB_ORGS_ESTABLISHED',
    });
    expect(again.errors).toBeUndefined();
    expect(analytics.engineRuns()).toBe(runs + 1);
    // One unit not seen before: one run, for it alone.
    const more = await ask(analytics.url, ENTITIES, {
      reps: reps([U.ngoQuyen, U.leChan]),
      code: 'PB_ORGS_ESTABLISHED',
    });
    expect(more.errors).toBeUndefined();
    expect(analytics.engineRuns()).toBe(runs + 2);
    // Kept for an admin, Lê Chân's value is still refused to a viewer of Ngô Quyền.
    const viewer = await ask(
      analytics.url,
      ENTITIES,
      { reps: reps([U.ngoQuyen, U.leChan]), code: 'PB_ORGS_ESTABLISHED' },
      identity('viewer', ['304']),
    );
    expect(viewer.data._entities[1].indicator).toBeNull();
    expect(viewer.errors).toHaveLength(1);
    expect(viewer.errors![0]).toMatchObject({ path: ['_entities', 1, 'indicator'], extensions: { code: 'FORBIDDEN' } });
    expect(analytics.engineRuns()).toBe(runs + 2);
  });

  it('computes AdminUnit.indicator with the numbers its selection reads, and serves fewer from every number', async () => {
    const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'AdminUnit', id }));
    const entities = (fields: string) =>
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id indicator(code: "PB_NEW_MEMBERS", period: "2025Q2") { ${fields} } } } }`;
    const VALUE = entities('value complete coverage { value }');
    const EVERY = entities('value complete coverage { value samePeriod } samePeriodValue target');
    const runs = analytics.engineRuns();
    const value = await ask(analytics.url, VALUE, { reps: reps([U.ngoQuyen]) });
    expect(value.errors).toBeUndefined();
    expect(analytics.engineRuns()).toBe(runs + 1);
    // A value of the value only cannot answer the same period and the target: one more run, once.
    const every = await ask(analytics.url, EVERY, { reps: reps([U.ngoQuyen]) });
    expect(every.errors).toBeUndefined();
    expect(analytics.engineRuns()).toBe(runs + 2);
    await ask(analytics.url, EVERY, { reps: reps([U.ngoQuyen]) });
    expect(analytics.engineRuns()).toBe(runs + 2);
    expect(every.data._entities[0].indicator).toMatchObject({
      ...value.data._entities[0].indicator,
      samePeriodValue: null,
      target: 271,
    });
    // Every number kept for two units answers a question of the value for them.
    const both = await ask(analytics.url, EVERY, { reps: reps([U.mayChai, U.leChan]) });
    expect(analytics.engineRuns()).toBe(runs + 3);
    const fewer = await ask(analytics.url, VALUE, { reps: reps([U.mayChai, U.leChan]) });
    expect(analytics.engineRuns()).toBe(runs + 3);
    expect(fewer.errors).toBeUndefined();
    expect(fewer.data._entities.map((e: any) => e.indicator)).toEqual(
      both.data._entities.map(({ indicator: i }: any) => ({
        value: i.value,
        complete: i.complete,
        coverage: { value: i.coverage.value },
      })),
    );
  });

  it('shows a new figure in AdminUnit.indicator too', async () => {
    const read = async () =>
      (
        await ask(analytics.url, ENTITIES, {
          reps: [{ __typename: 'AdminUnit', id: U.mayChai }],
          code: 'PB_NEW_MEMBERS',
        })
      ).data._entities[0].indicator.value;
    expect(await read()).toBe(30);
    await record(party, 'party', [{ indicator: 'PB_NEW_MEMBERS', unit: U.mayChai, period: '2025S1', value: 31 }]);
    expect(await eventually(async () => (await read()) === 31, 2000)).toBe(true);
  });

  it('serves exports and queries of fewer numbers from the same answers', async () => {
    const query = { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'], level: 'COMMUNE' };
    const exported = async () => {
      const res = await postJson(
        `${rootOf(analytics.url)}/export`,
        { aggregate: query, format: 'csv' },
        identity('admin'),
      );
      expect(res.status).toBe(200);
      expect((await res.text()).split('\n').filter(Boolean)).toHaveLength(1 + 8);
    };
    // This query selects the value and the target: it computes no same period.
    const selected = await ask(analytics.url, AGGREGATE, { q: query });
    const runs = analytics.engineRuns();
    // An export has every number, which the kept answer does not: it computes them, once.
    await exported();
    expect(analytics.engineRuns()).toBe(runs + 1);
    await exported();
    expect(analytics.engineRuns()).toBe(runs + 1);
    // A query of fewer numbers (only the value) is answered from the export's answer.
    const VALUES = `query($q: AggregateQuery!) { aggregate(query: $q) { rows { unit { id } value complete coverage { value } } } }`;
    const values = await ask(analytics.url, VALUES, { q: query });
    expect(analytics.engineRuns()).toBe(runs + 1);
    expect(values.errors).toBeUndefined();
    expect(values.data.aggregate.rows.map((r: { value: number | null }) => r.value)).toEqual(
      selected.data.aggregate.rows.map((r: { value: number | null }) => r.value),
    );
    expect(values.data.aggregate.rows.find((r: any) => r.unit.id === U.mayChai)).toMatchObject({
      value: 31, // as recorded by the test before
      complete: true,
      coverage: { value: 1 },
    });
  });

  it('reports the sources as they are now, not as they were when the rows were kept', async () => {
    const first = await ask(analytics.url, AGGREGATE, q(['304']));
    expect(first.data.aggregate.stale).toBe(false);
    await party.close();
    const later = await eventually(async () => {
      const r = await ask(analytics.url, AGGREGATE, q(['304']));
      return r.data.aggregate.stale ? r : undefined;
    }, 5000);
    expect(later.data.aggregate.rows).toEqual(first.data.aggregate.rows);
    expect(later.data.aggregate.sources[0]).toMatchObject({
      name: 'party',
      stale: true,
      error: 'the feed is unreachable',
    });
  });
});

describe('a bounded cache of aggregate answers', () => {
  it('keeps no more answers than it is allowed', async () => {
    const dir = tempDir();
    const analytics = await start({
      port: 0,
      dataDir: dir,
      databasePath: ':memory:',
      internalSecret: SECRET,
      catalog: staticCatalog(realCatalog()),
      feeds: [],
      logLevel: 'silent',
      resultCacheEntries: 2,
    });
    try {
      // Once the catalogue is stored, the data stays as it is for the whole test.
      await analytics.caughtUp();
      for (const unit of ['304', '305', '306', '304']) await ask(analytics.url, AGGREGATE, q([unit]));
      expect(analytics.cacheStats()).toMatchObject({ entries: 2, evictions: 2, hits: 0 });
      // 304 was dropped to make room, so it was computed again: four runs for four questions.
      expect(analytics.engineRuns()).toBe(4);
    } finally {
      await analytics.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
