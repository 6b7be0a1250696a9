// The reference subgraph's queries over real HTTP, on SQLite and PostgreSQL: lookups and their errors,
// pagination, search, hierarchy, lineage, terms and indicators.
import { INDICATORS, UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '..';
import { BACKENDS, dataOf, Harness, startHarness, Store } from './harness';

// The files themselves, read independently of the service, to compare its answers with.
const files = loadAdminUnits(DEFAULT_UNITS_DIR);
const catalog = new UnitCatalog(files.units, files.links);

type Page = {
  totalCount: number;
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

describe.each(BACKENDS)('reference API on $name', (backend) => {
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

  /** Every page of a `units` query, following endCursor until hasNextPage is false. */
  async function walk(args: string, first: number): Promise<{ ids: string[]; pages: Page[] }> {
    const query = `query ($after: String) { units(${args}, first: ${first}, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const page: Page = dataOf(await h.gql(query, { after })).units;
      pages.push(page);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      if (pages.length > 1000) throw new Error('pagination does not end');
    } while (after);
    return { ids: pages.flatMap((p) => p.edges.map((e) => e.node.id)), pages };
  }

  describe('unit', () => {
    it('names the code and the date when no unit has that code on that date', async () => {
      const r = await h.gql('{ unit(code: "99999", asOf: "2025-01-01") { id } }');
      expect(r.errors![0]!.extensions).toMatchObject({
        code: 'UNIT_NOT_FOUND',
        argument: 'code',
        unitCode: '99999',
        asOf: '2025-01-01',
      });
      expect(r.errors![0]!.message).toContain('"99999"');
      expect(r.errors![0]!.message).toContain('2025-01-01');
      expect(r.data?.unit ?? null).toBeNull();
    });

    it('tells when a known code was valid if the date misses it', async () => {
      const r = await h.gql('{ unit(code: "304", asOf: "2025-07-01") { id } }');
      expect(r.errors![0]!.extensions.code).toBe('UNIT_NOT_FOUND');
      expect(r.errors![0]!.message).toMatch(/"304".*2025-07-01.*2000-01-01 to 2025-06-30/);
    });

    it('refuses a lookup with neither code nor id, and one with both', async () => {
      const neither = await h.gql('{ unit { id } }');
      expect(neither.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(neither.errors![0]!.message).toMatch(/code.*id.*neither/);
      const both = await h.gql('{ unit(code: "304", id: "304@2000-01-01") { id } }');
      expect(both.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    });

    it('finds a version by id, and says so when the id is unknown', async () => {
      expect(dataOf(await h.gql('{ unit(id: "11329@2025-07-01") { code name validFrom } }')).unit).toEqual({
        code: '11329',
        name: 'Ngô Quyền',
        validFrom: '2025-07-01',
      });
      const r = await h.gql('{ unit(id: "11329@1999-01-01") { id } }');
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'UNIT_NOT_FOUND', id: '11329@1999-01-01' });
    });

    it('refuses an impossible date, naming it', async () => {
      const r = await h.gql('{ unit(code: "304", asOf: "2025-02-29") { id } }');
      expect(r.errors?.[0]?.message).toContain('2025-02-29');
    });

    it('lists ancestors nearest first and the parent of a new ward directly under its province', async () => {
      const d = dataOf(
        await h.gql(`{ old: unit(code: "11329", asOf: "2025-01-01") { ancestors { id level } }
                       new: unit(code: "11329", asOf: "2025-07-01") { ancestors { id level } } }`),
      );
      expect(d.old.ancestors).toEqual([
        { id: '304@2000-01-01', level: 'DISTRICT' },
        { id: '31@2000-01-01', level: 'PROVINCE' },
      ]);
      expect(d.new.ancestors).toEqual([{ id: '31@2025-07-01', level: 'PROVINCE' }]);
    });

    it('filters children by asOf and lists them all without it', async () => {
      const d = dataOf(
        await h.gql(
          `{ unit(id: "31@2025-07-01") { all: children { id } on: children(asOf: "2025-07-01") { id } before: children(asOf: "2025-06-30") { id } } }`,
        ),
      );
      const expected = catalog.children('31@2025-07-01').map((u) => u.id);
      expect(expected.length).toBeGreaterThan(100);
      expect(d.unit.all.map((u: { id: string }) => u.id)).toEqual(expected);
      expect(d.unit.on).toEqual(d.unit.all);
      expect(d.unit.before).toEqual([]);
    });

    it('follows lineage both ways, with the catalogue semantics above the communes', async () => {
      const d = dataOf(
        await h.gql(`{
          mayChai: unit(id: "11329@2000-01-01") { successors { unit { id } share } }
          giaVien: unit(id: "11341@2000-01-01") { successors { unit { id } share } }
          city: unit(id: "31@2025-07-01") { predecessors { unit { id name } share } }
          district: unit(id: "304@2000-01-01") { successors { unit { id level } share } }
        }`),
      );
      expect(d.mayChai.successors).toEqual([{ unit: { id: '11329@2025-07-01' }, share: 1 }]);
      expect(d.giaVien.successors).toHaveLength(3);
      for (const s of d.giaVien.successors) expect(s.share).toBeCloseTo(1 / 3, 12);
      // New Hải Phòng is old Hải Phòng and old Hải Dương, both whole.
      expect(
        d.city.predecessors.map((p: { unit: { id: string }; share: number }) => [p.unit.id, p.share]).sort(),
      ).toEqual([
        ['30@2000-01-01', 1],
        ['31@2000-01-01', 1],
      ]);
      const expected = catalog.successors('304@2000-01-01').map((s) => [s.unit.id, s.unit.level, s.share]);
      expect(
        d.district.successors.map((s: { unit: { id: string; level: string }; share: number }) => [
          s.unit.id,
          s.unit.level,
          s.share,
        ]),
      ).toEqual(expected.map(([id, level, share]) => [id, level, expect.closeTo(share as number, 12)]));
      expect(d.district.successors.reduce((s: number, x: { share: number }) => s + x.share, 0)).toBeCloseTo(1, 9);
    });
  });

  describe('units', () => {
    it('walks every page exactly once, with a stable total', async () => {
      const { ids, pages } = await walk('level: DISTRICT, asOf: "2025-06-30"', 100);
      expect(pages).toHaveLength(7);
      expect(ids).toHaveLength(696);
      expect(new Set(ids).size).toBe(696);
      expect(pages.every((p) => p.totalCount === 696)).toBe(true);
      expect(pages.slice(0, -1).every((p) => p.edges.length === 100 && p.pageInfo.hasNextPage)).toBe(true);
      for (const p of pages) expect(p.pageInfo.endCursor).toBe(p.edges[p.edges.length - 1]!.cursor);
      const expected = catalog.validOn('2025-06-30', 'DISTRICT').map((u) => u.id);
      expect([...ids].sort()).toEqual([...expected].sort());
    });

    it('pages through a filtered list the same way', async () => {
      const { ids } = await walk('level: COMMUNE, parent: "31", asOf: "2025-01-01"', 7);
      const expected = catalog.unitsAtLevel('31@2000-01-01', 'COMMUNE').map((u) => u.id);
      expect(expected.length).toBeGreaterThan(100);
      expect(ids).toEqual(expected);
    });

    it('gives an empty last page no cursor', async () => {
      const page = dataOf(
        await h.gql(
          '{ units(level: DISTRICT, asOf: "2025-07-01") { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }',
        ),
      ).units;
      expect(page).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('defaults to 50 units a page and refuses more than 500', async () => {
      const page = dataOf(await h.gql('{ units(level: COMMUNE, asOf: "2025-07-01") { edges { cursor } } }')).units;
      expect(page.edges).toHaveLength(50);
      const r = await h.gql('{ units(first: 501) { totalCount } }');
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
      expect(r.errors![0]!.message).toMatch(/first: expected 0 to 500, got 501/);
      expect((await h.gql('{ units(first: -1) { totalCount } }')).errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(
        dataOf(await h.gql('{ units(first: 500, asOf: "2025-06-30") { edges { cursor } } }')).units.edges,
      ).toHaveLength(500);
    });

    it('refuses a cursor it did not make', async () => {
      const r = await h.gql('{ units(after: "not-a-cursor") { totalCount } }');
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
      expect(r.errors![0]!.message).toContain('not-a-cursor');
    });

    it('lists the children of a parent code, or with a level every unit at that level inside it', async () => {
      const d = dataOf(
        await h.gql(`{
          wards: units(parent: "304", asOf: "2025-01-01") { totalCount edges { node { code level } } }
          districts: units(parent: "31", level: DISTRICT, asOf: "2025-01-01") { totalCount }
          newWards: units(parent: "31", asOf: "2025-07-01", first: 0) { totalCount }
        }`),
      );
      expect(d.wards.edges.map((e: { node: { code: string } }) => e.node.code)).toEqual([
        '11329',
        '11335',
        '11338',
        '11341',
        '11344',
        '11350',
        '11359',
        '11365',
      ]);
      expect(d.districts.totalCount).toBe(catalog.children('31@2000-01-01').length);
      expect(d.newWards.totalCount).toBe(catalog.children('31@2025-07-01').length);
      const r = await h.gql('{ units(parent: "304", asOf: "2025-07-01") { totalCount } }');
      expect(r.errors![0]!.extensions).toMatchObject({
        code: 'UNIT_NOT_FOUND',
        argument: 'parent',
        unitCode: '304',
        asOf: '2025-07-01',
      });
    });

    it('finds units by name with or without accents, in any case, in Vietnamese or English', async () => {
      const search = async (text: string, asOf: string) =>
        dataOf(
          await h.gql(
            'query ($s: String, $d: Date) { units(search: $s, asOf: $d, first: 500) { totalCount edges { node { id name } } } }',
            { s: text, d: asOf },
          ),
        ).units as { totalCount: number; edges: { node: { id: string; name: string } }[] };
      const plain = await search('ngo quyen', '2025-01-01');
      const ids = plain.edges.map((e) => e.node.id);
      expect(ids).toContain('304@2000-01-01');
      expect(plain.edges.every((e) => e.node.name === 'Ngô Quyền')).toBe(true);
      const expected = catalog
        .validOn('2025-01-01')
        .filter((u) => u.name === 'Ngô Quyền')
        .map((u) => u.id);
      expect([...ids].sort()).toEqual([...expected].sort());
      expect((await search('NGÔ QUYỀN', '2025-01-01')).edges.map((e) => e.node.id)).toEqual(ids);
      expect((await search('Ngo Quyen District', '2025-01-01')).edges.map((e) => e.node.id)).toEqual([
        '304@2000-01-01',
      ]);
      expect((await search('ngo quyen', '2025-07-01')).edges.map((e) => e.node.id)).toContain('11329@2025-07-01');
      expect((await search('đông khê', '2025-01-01')).edges.map((e) => e.node.id)).toContain('11350@2000-01-01');
      expect((await search('11329', '2025-01-01')).edges.map((e) => e.node.name)).toEqual(['Máy Chai']);
      expect((await search('no such place', '2025-01-01')).totalCount).toBe(0);
    });
  });

  describe('terms and indicators', () => {
    it('lists congress terms aligned to half-years', async () => {
      const d = dataOf(await h.gql('{ terms { code name start end } term(code: "2025-2030") { code start end } }'));
      expect(d.terms).toContainEqual({
        code: '2020-2025',
        name: 'Nhiệm kỳ 2020-2025',
        start: '2020-07-01',
        end: '2025-06-30',
      });
      expect(d.term).toEqual({ code: '2025-2030', start: '2025-07-01', end: '2030-06-30' });
      const r = await h.gql('{ term(code: "2025-2031") { code } }');
      expect(r.errors![0]!.extensions.code).toBe('INVALID_PERIOD');
      expect(r.errors![0]!.message).toContain('2025-2031');
    });

    it('serves the indicator catalogue with rules, ratio parts and target grains', async () => {
      const d = dataOf(
        await h.gql(`{ all: indicators { code } party: indicators(domain: PARTY) { code domain }
          rate: indicator(code: "SS_POOR_RATE") { code nameVi domain measure rule targetGrain numerator { code rule } denominator { code } }
          flow: indicator(code: "PB_NEW_MEMBERS") { rule targetGrain numerator { code } notes } }`),
      );
      expect(d.all).toHaveLength(INDICATORS.length);
      expect(d.party.length).toBe(INDICATORS.filter((i) => i.domain === 'PARTY').length);
      expect(d.party.every((i: { domain: string }) => i.domain === 'PARTY')).toBe(true);
      expect(d.rate).toEqual({
        code: 'SS_POOR_RATE',
        nameVi: 'Tỷ lệ hộ nghèo',
        domain: 'SOCIAL',
        measure: '%',
        rule: 'RATIO',
        targetGrain: 'YEAR',
        numerator: { code: 'SS_POOR_HH', rule: 'STOCK' },
        denominator: { code: 'SS_HOUSEHOLDS' },
      });
      expect(d.flow).toMatchObject({ rule: 'FLOW', targetGrain: 'YEAR', numerator: null });
      const r = await h.gql('{ indicator(code: "NOPE") { code } }');
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'UNKNOWN_INDICATOR', argument: 'code' });
      expect(r.errors![0]!.message).toContain('NOPE');
    });

    it('resolves Indicator and Term references from other subgraphs', async () => {
      const d = dataOf(
        await h.gql(`{ _entities(representations: [
          { __typename: "Indicator", code: "EB_BUDGET_REV" }, { __typename: "Term", code: "2020-2025" }, { __typename: "Indicator", code: "NOPE" }
        ]) { ... on Indicator { nameEn } ... on Term { start } } }`),
      );
      expect(d._entities).toEqual([
        { nameEn: 'State budget revenue collected in the area' },
        { start: '2020-07-01' },
        null,
      ]);
    });
  });
});
