import { ExtraGateway, startTestPlatform, TestPlatform } from '../harness';

/**
 * Issue 10: what a hostile caller could do to the gateway with a small request: a fragment-spread
 * bomb, requests to random paths, a list size hidden in a variable's default.
 */

let platform: TestPlatform;
let publicGateway: ExtraGateway;

beforeAll(async () => {
  platform = await startTestPlatform();
  publicGateway = await platform.startGateway({ PUBLIC_INDICATORS: 'PB_NEW_MEMBERS' });
}, 480_000);

afterAll(() => platform?.stop(), 60_000);

/** `levels` fragments each spreading the next twice: 2^levels fields once expanded, in about 60 bytes a level. */
function bomb(levels: number): string {
  let fragments = '';
  for (let i = 0; i < levels; i++) fragments += `fragment F${i} on AdminUnit { ...F${i + 1} ...F${i + 1} } `;
  return `{ unit(code: "304") { ...F0 } } ${fragments}fragment F${levels} on AdminUnit { code }`;
}

describe('hardening: fragment-spread bomb', () => {
  // 30 levels are 2^30 fields expanded: a walk that expands fragments would not finish within the
  // test's time; one that measures each fragment once answers at once.
  it.each([22, 30])(
    '%i levels are refused as too complex, with a token and without one',
    async (levels) => {
      const query = bomb(levels);
      expect(query.length).toBeLessThan(2000);
      const signedIn = await platform.post('/graphql', { query });
      expect({ status: signedIn.status, code: signedIn.json.errors[0].extensions.code }).toEqual({
        status: 400,
        code: 'QUERY_TOO_COMPLEX',
      });
      const anonymous = await publicGateway.post('/graphql', { query }, null);
      expect({ status: anonymous.status, code: anonymous.json.errors[0].extensions.code }).toEqual({
        status: 400,
        code: 'QUERY_TOO_COMPLEX',
      });
      // The gateway still answers.
      expect((await platform.gql('{ terms { code } }')).errors).toBeUndefined();
    },
    60_000,
  );

  it('a fragment cycle is refused as a validation error', async () => {
    const res = await platform.post('/graphql', {
      query: '{ unit(code: "304") { ...A } } fragment A on AdminUnit { ...B } fragment B on AdminUnit { ...A }',
    });
    expect(res.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('hardening: metrics', () => {
  it('300 requests to random paths, without a token, do not grow /metrics of the gateway or of a subgraph', async () => {
    const headers = await platform.forwardedHeaders({ sub: 'ops', role: 'admin', units: [] });
    const gatewayMetrics = async () => (await (await fetch(`${platform.baseUrl}/metrics`)).text()).length;
    const partyMetrics = async () =>
      (await (await fetch(`${platform.serviceUrl('party')}/metrics`, { headers })).text()).length;
    // Every route once first, so that the growth measured is that of the random paths alone.
    for (const path of ['/x', '/y/z']) {
      await fetch(`${platform.baseUrl}${path}`);
      await fetch(`${platform.serviceUrl('party')}${path}`);
    }
    const before = { gateway: await gatewayMetrics(), party: await partyMetrics() };
    for (let i = 0; i < 300; i++) {
      const path = `/random-${i}-${Math.random().toString(36).slice(2)}`;
      await (await fetch(`${platform.baseUrl}${path}`)).text();
      await (await fetch(`${platform.serviceUrl('party')}${path}`)).text();
    }
    const after = { gateway: await gatewayMetrics(), party: await partyMetrics() };
    console.log(
      `/metrics bytes before and after 300 random paths: gateway ${before.gateway} -> ${after.gateway}, party ${before.party} -> ${after.party}`,
    );
    // Counters and histograms change their numbers, not their number of series (a series per path was
    // about 1.4 KB: 300 paths would add some 400 KB); the default process metrics may add a few series.
    expect(after.gateway - before.gateway).toBeLessThan(20_000);
    expect(after.party - before.party).toBeLessThan(20_000);
    const text = await (await fetch(`${platform.baseUrl}/metrics`)).text();
    expect(text).not.toMatch(/random-/);
    expect(text).toMatch(/route="\/graphql"/);
  });
});

describe('hardening: cost of variable defaults', () => {
  const query = (n: number) =>
    `query($n: Int = ${n}) { units(level: PROVINCE, asOf: "2024-01-01", first: $n) { edges { node { code children { code children { code children { code } } } } } } }`;

  it("a list size from a variable's default is costed like the same value sent", async () => {
    const byDefault = await platform.post('/graphql', { query: query(500) });
    const sent = await platform.post('/graphql', { query: query(1), variables: { n: 500 } });
    expect(sent.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect({ status: byDefault.status, code: byDefault.json.errors?.[0]?.extensions?.code }).toEqual({
      status: 400,
      code: 'QUERY_TOO_COMPLEX',
    });
    expect(byDefault.json.errors[0].extensions.cost).toBe(sent.json.errors[0].extensions.cost);
    const small = await platform.post('/graphql', { query: query(1) });
    expect(small.json.errors).toBeUndefined();
  });
});
