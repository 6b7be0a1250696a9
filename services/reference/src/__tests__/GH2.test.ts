// Issue 2, item 3 and its "done when" list, for the reference subgraph on SQLite and PostgreSQL:
// unit counts before and after the reform, unit 304 and its wards, the reused code 11329 and its
// lineage, and shares that sum to 1 for every old unit.
import { raw } from '@mikro-orm/core';
import { BACKENDS, dataOf, Harness, startHarness, Store } from './harness';
import { LineageLinkEntity } from '../entities';

const COUNT = `query ($asOf: Date!) {
  provinces: units(level: PROVINCE, asOf: $asOf, first: 0) { totalCount }
  districts: units(level: DISTRICT, asOf: $asOf, first: 0) { totalCount }
  communes: units(level: COMMUNE, asOf: $asOf, first: 0) { totalCount }
}`;

describe.each(BACKENDS)('issue 2: reference units on $name', (backend) => {
  let store: Store;
  let h: Harness;

  beforeAll(async () => {
    store = backend.createStore();
    h = await startHarness(store);
  });

  afterAll(async () => {
    await h?.server.close();
    await store?.dispose();
  });

  it('loads every unit version and lineage link of the shipped data', () => {
    expect(h.server.load).toMatchObject({ status: 'loaded', units: 14_149, links: 10_592 });
  });

  it('counts 63 provinces, 696 districts and 10,035 communes valid on 2025-06-30', async () => {
    const d = dataOf(await h.gql(COUNT, { asOf: '2025-06-30' }));
    expect([d.provinces.totalCount, d.districts.totalCount, d.communes.totalCount]).toEqual([63, 696, 10_035]);
  });

  it('counts 34 provinces, no district and 3,321 communes valid on 2025-07-01', async () => {
    const d = dataOf(await h.gql(COUNT, { asOf: '2025-07-01' }));
    expect([d.provinces.totalCount, d.districts.totalCount, d.communes.totalCount]).toEqual([34, 0, 3_321]);
  });

  it('answers unit 304 as Ngô Quyền district with its 8 wards, with or without asOf', async () => {
    const query = `query ($asOf: Date) { unit(code: "304", asOf: $asOf) { id name level kind parent { code name } children { code name level } } }`;
    const expected = {
      id: '304@2000-01-01',
      name: 'Ngô Quyền',
      level: 'DISTRICT',
      kind: 'urban_district',
      parent: { code: '31', name: 'Hải Phòng' },
    };
    const wards = ['11329', '11335', '11338', '11341', '11344', '11350', '11359', '11365'];
    for (const asOf of ['2025-01-01', null]) {
      const { unit } = dataOf(await h.gql(query, { asOf }));
      expect(unit).toMatchObject(expected);
      expect(unit.children.map((c: { code: string }) => c.code)).toEqual(wards);
      expect(unit.children.every((c: { level: string }) => c.level === 'COMMUNE')).toBe(true);
      expect(unit.children[0].name).toBe('Máy Chai');
    }
  });

  it('resolves the reused code 11329 to Máy Chai before the reform and to the new Ngô Quyền ward after it', async () => {
    const query = `query ($asOf: Date) { unit(code: "11329", asOf: $asOf) { id name level validFrom validTo parent { code level }
      predecessors { unit { id code name } share } } }`;
    const before = dataOf(await h.gql(query, { asOf: '2025-01-01' })).unit;
    expect(before).toMatchObject({
      id: '11329@2000-01-01',
      name: 'Máy Chai',
      level: 'COMMUNE',
      validTo: '2025-06-30',
      parent: { code: '304', level: 'DISTRICT' },
    });

    const after = dataOf(await h.gql(query, { asOf: '2025-07-01' })).unit;
    expect(after).toMatchObject({
      id: '11329@2025-07-01',
      name: 'Ngô Quyền',
      level: 'COMMUNE',
      validFrom: '2025-07-01',
      validTo: null,
      parent: { code: '31', level: 'PROVINCE' },
    });
    const shares = Object.fromEntries(
      after.predecessors.map((p: { unit: { code: string }; share: number }) => [p.unit.code, p.share]),
    );
    expect(Object.keys(shares).sort()).toEqual(['11329', '11335', '11338', '11341', '11350']);
    expect(shares['11329']).toBe(1);
    expect(shares['11335']).toBe(1);
    expect(shares['11338']).toBe(1);
    expect(shares['11341']).toBeCloseTo(1 / 3, 12);
    expect(shares['11350']).toBeCloseTo(1 / 2, 12);
    expect(after.predecessors.find((p: { unit: { code: string } }) => p.unit.code === '11329').unit).toEqual({
      id: '11329@2000-01-01',
      code: '11329',
      name: 'Máy Chai',
    });
  });

  it('stores lineage whose shares sum to 1 for every old unit in the country', async () => {
    const rows = (await h
      .em()
      .createQueryBuilder(LineageLinkEntity)
      .select(['fromId', raw('sum(share) as total'), raw('count(*) as n')])
      .groupBy('fromId')
      .execute('all')) as { fromId: string; total: string | number; n: string | number }[];
    // Every old leaf: the 10,035 communes and the five island districts that had no communes.
    expect(rows).toHaveLength(10_040);
    const off = rows.filter((r) => Math.abs(Number(r.total) - 1) > 1e-9);
    expect(off).toEqual([]);
    expect(rows.filter((r) => Number(r.n) > 1).length).toBeGreaterThan(0);
  });

  it('serves successors whose shares sum to 1 for every old commune, through the API', async () => {
    const query = `query ($after: String) { units(level: COMMUNE, asOf: "2025-06-30", first: 500, after: $after) {
      edges { node { id successors { unit { validFrom } share } } } pageInfo { hasNextPage endCursor } } }`;
    let after: string | null = null;
    let seen = 0;
    const wrong: string[] = [];
    do {
      const page: any = dataOf(await h.gql(query, { after })).units;
      for (const { node } of page.edges) {
        seen += 1;
        const total = node.successors.reduce((s: number, x: { share: number }) => s + x.share, 0);
        const allNew = node.successors.every((x: { unit: { validFrom: string } }) => x.unit.validFrom === '2025-07-01');
        if (Math.abs(total - 1) > 1e-9 || !allNew) wrong.push(`${node.id}: ${total}`);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toBe(10_035);
    expect(wrong).toEqual([]);
  });
});
