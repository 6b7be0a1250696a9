// What other services rely on: entity references resolved in a constant number of statements
// however many the gateway sends, and the internal catalogue snapshot with its ETag.
import { createLogger, remoteCatalog } from '@lgr/kit';
import { UnitCatalog } from '@lgr/schema';
import { BACKENDS, dataOf, Harness, identityHeader, SECRET, startHarness, Store } from './harness';

const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on AdminUnit { id code name level parent { id name } ancestors { id } children { id } } } }`;

describe.each(BACKENDS)('federation contracts on $name', (backend) => {
  let store: Store;
  let h: Harness;
  let communeIds: string[];

  beforeAll(async () => {
    store = backend.createStore();
    h = await startHarness(store);
    const page = dataOf(
      await h.gql('{ units(level: COMMUNE, asOf: "2025-06-30", first: 500) { edges { node { id } } } }'),
    ).units;
    communeIds = page.edges.map((e: { node: { id: string } }) => e.node.id);
  });

  afterAll(async () => {
    await h?.server.close();
    await store?.dispose();
  });

  /** Resolves the references and returns the answer and the SQL statements it took. */
  async function resolve(ids: string[]): Promise<{ entities: any[]; statements: string[] }> {
    h.resetStatements();
    const d = dataOf(await h.gql(ENTITIES, { representations: ids.map((id) => ({ __typename: 'AdminUnit', id })) }));
    return { entities: d._entities, statements: [...h.statements] };
  }

  describe('AdminUnit references', () => {
    it('answers every reference in order, with null for an unknown id', async () => {
      const ids = [communeIds[3]!, 'no-such-unit@2000-01-01', communeIds[0]!, communeIds[3]!];
      const { entities } = await resolve(ids);
      expect(entities.map((e) => e?.id ?? null)).toEqual([communeIds[3], null, communeIds[0], communeIds[3]]);
      expect(entities[0].ancestors.map((a: { id: string }) => a.id)).toEqual([
        entities[0].parent.id,
        expect.stringMatching(/@2000-01-01$/),
      ]);
    });

    it('takes the same few statements for 5, 500 and 2,000 references', async () => {
      const small = await resolve(communeIds.slice(0, 5));
      const full = await resolve(communeIds);
      // The gateway does not de-duplicate: 2,000 references to the same 500 units.
      const repeated = await resolve([...communeIds, ...communeIds, ...communeIds, ...communeIds]);
      expect(full.entities).toHaveLength(500);
      expect(full.entities.map((e) => e.id)).toEqual(communeIds);
      expect(repeated.entities).toHaveLength(2000);
      expect(repeated.entities.slice(1500).map((e) => e.id)).toEqual(communeIds);
      expect(full.entities.every((e) => e.parent && e.ancestors.length === 2)).toBe(true);
      // Units by id, their parents, the parents' parents, and children: one statement each.
      expect(full.statements.every((s) => /^select\b/i.test(s))).toBe(true);
      expect(full.statements.length).toBeLessThanOrEqual(4);
      expect(repeated.statements.length).toBe(full.statements.length);
      expect(small.statements.length).toBe(full.statements.length);
      const byId = full.statements.filter((s) => /from .unit_version. as .u0. where .u0.\..id. in/.test(s));
      expect(byId.length).toBeGreaterThanOrEqual(1);
    });

    it('takes a constant number of statements for a page of units with their parents and lineage', async () => {
      const query = `query ($first: Int) { units(level: COMMUNE, asOf: "2025-07-01", first: $first) {
        edges { node { id parent { name } ancestors { code } predecessors { unit { code } share } } } } }`;
      h.resetStatements();
      dataOf(await h.gql(query, { first: 10 }));
      const few = h.statements.length;
      h.resetStatements();
      const d = dataOf(await h.gql(query, { first: 500 }));
      expect(d.units.edges).toHaveLength(500);
      expect(h.statements.length).toBe(few);
      expect(few).toBeLessThanOrEqual(6);
    });
  });

  describe('/internal/catalog', () => {
    it('is refused without an identity and to every role but service', async () => {
      expect((await h.get('/internal/catalog')).status).toBe(401);
      for (const role of ['viewer', 'editor', 'analyst', 'admin'] as const) {
        const res = await h.get('/internal/catalog', role);
        expect(res.status).toBe(403);
        const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
        expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
      }
    });

    it('serves the whole catalogue to a service, with the digest as ETag', async () => {
      const res = await h.get('/internal/catalog', 'service');
      expect(res.status).toBe(200);
      const snapshot = (await res.json()) as { digest: string; units: any[]; links: any[] };
      expect(snapshot.digest).toBe(h.server.load.digest);
      expect(res.headers.get('etag')).toBe(`"${snapshot.digest}"`);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(snapshot.units).toHaveLength(14_149);
      expect(snapshot.links).toHaveLength(10_592);
      // What a consumer computes from the snapshot is the digest it was served under.
      expect(new UnitCatalog(snapshot.units, snapshot.links).digest()).toBe(snapshot.digest);
      expect(snapshot.units.find((u) => u.id === '11329@2025-07-01')).toEqual({
        id: '11329@2025-07-01',
        code: '11329',
        name: 'Ngô Quyền',
        fullName: 'Phường Ngô Quyền',
        nameEn: 'Ngo Quyen Ward',
        level: 'COMMUNE',
        kind: 'ward',
        parentId: '31@2025-07-01',
        validFrom: '2025-07-01',
        validTo: null,
      });
    });

    it('sends the same JSON uncompressed to a client that does not take gzip', async () => {
      const plain = await h.get('/internal/catalog', 'service', { 'accept-encoding': 'identity' });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-encoding')).toBeNull();
      const text = await plain.text();
      expect(text.length).toBeGreaterThan(3_000_000);
      const zipped = await h.get('/internal/catalog', 'service');
      expect(await zipped.text()).toBe(text);
    });

    it('answers 304 to a service that already holds the current digest', async () => {
      const digest = h.server.load.digest;
      for (const tag of [digest, `"${digest}"`, `W/"${digest}"`, `"other", "${digest}"`]) {
        const res = await h.get('/internal/catalog', 'service', { 'if-none-match': tag });
        expect(res.status).toBe(304);
        expect(await res.text()).toBe('');
      }
      expect((await h.get('/internal/catalog', 'service', { 'if-none-match': '"0000000000000000"' })).status).toBe(200);
    });

    it("feeds kit's remoteCatalog, which then keeps its copy on 304s", async () => {
      h.resetStatements();
      const changes: string[] = [];
      const source = remoteCatalog({
        referenceUrl: h.base,
        internalSecret: SECRET,
        logger: createLogger('test', 'silent'),
        refreshMs: 50,
        onChange: (c) => changes.push(c.digest()),
      });
      try {
        const catalog = await source.ready();
        expect(catalog.digest()).toBe(h.server.load.digest);
        expect(catalog.resolve('11329', '2025-01-01')?.name).toBe('Máy Chai');
        await new Promise((r) => setTimeout(r, 400));
        expect(changes).toEqual([h.server.load.digest]);
      } finally {
        source.close();
      }
      // The snapshot is built once per digest: refreshes only read the stored digest.
      expect(h.statements.some((s) => /from .unit_version./.test(s))).toBe(false);
    });
  });

  it('checks forwarded identities on /graphql', async () => {
    const res = await fetch(`${h.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ terms { code } }"}',
    });
    expect(res.status).toBe(401);
    const ok = await fetch(`${h.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await identityHeader('analyst')) },
      body: '{"query":"{ terms { code } }"}',
    });
    expect(ok.status).toBe(200);
  });
});
