import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAudits } from 'graphql-http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ExtraGateway, postTo, startTestPlatform, TestPlatform, waitForExit } from '../harness';
import { errorAnswerProblems, eventually, leakProblems, sleep } from '../support';

/**
 * Issue 5: the gateway's limits and production settings, over a real platform. Variants of the
 * gateway (production mode with public indicators, a low rate limit, allowlist mode, a short subgraph
 * timeout) run as extra gateway processes over the same subgraphs.
 */

let platform: TestPlatform;
let dir: string;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const nest = (depth: number) =>
  `{ unit(code: "11329", asOf: "2025-01-01") { ${'parent { '.repeat(depth)}code${' }'.repeat(depth)} } }`;

beforeAll(async () => {
  platform = await startTestPlatform();
  dir = mkdtempSync(join(tmpdir(), 'lgr-gh5-limits-'));
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Expects a request refused as a whole: the HTTP status, one error with `code`, no data. */
function expectRefused(res: { status: number; json: any; text: string }, status: number, code: string): void {
  expect({ status: res.status, code: res.json?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
  expect(res.json.errors).toHaveLength(1);
  expect(res.json.data ?? null).toBeNull();
  expect(leakProblems(res.text)).toEqual([]);
}

describe('GH5 limits: query shape', () => {
  it('a 40-deep query is refused with QUERY_TOO_DEEP; 11 levels (within MAX_DEPTH 12) run', async () => {
    expectRefused(await platform.post('/graphql', { query: nest(40) }), 400, 'QUERY_TOO_DEEP');
    const ok = await platform.gql(nest(10));
    expect(ok.errors).toBeUndefined();
    expect(ok.data.unit).toBeTruthy();
  });

  it('31 aliases are refused with TOO_MANY_ALIASES; 30 run', async () => {
    const aliased = (n: number) =>
      `{ unit(code: "304", asOf: "2025-01-01") { ${Array.from({ length: n }, (_, i) => `a${i}: code`).join(' ')} } }`;
    expectRefused(await platform.post('/graphql', { query: aliased(31) }), 400, 'TOO_MANY_ALIASES');
    expect((await platform.gql(aliased(30))).errors).toBeUndefined();
  });

  it('11 root fields are refused with TOO_MANY_ROOT_FIELDS; 10 run', async () => {
    const roots = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: terms { code }`).join(' ')} }`;
    expectRefused(await platform.post('/graphql', { query: roots(11) }), 400, 'TOO_MANY_ROOT_FIELDS');
    expect((await platform.gql(roots(10))).errors).toBeUndefined();
  });

  it('a query whose lists multiply past the cost budget is refused with QUERY_TOO_COMPLEX, also when the size comes in a variable', async () => {
    const query =
      'query($n: Int) { units(level: COMMUNE, first: $n) { edges { node { children { children { children { code } } } } } } }';
    expectRefused(await platform.post('/graphql', { query, variables: { n: 1000 } }), 400, 'QUERY_TOO_COMPLEX');
    const res = await platform.post('/graphql', {
      query: '{ units(level: PROVINCE, first: 5) { edges { node { code children { code } } } } }',
    });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
  });

  it('fragments do not hide depth: a fragment cycle is a validation error and nested fragments count', async () => {
    const cycle = await platform.post('/graphql', {
      query:
        '{ unit(code: "304") { ...A } } fragment A on AdminUnit { parent { ...B } } fragment B on AdminUnit { parent { ...A } }',
    });
    expect(cycle.status).toBe(400);
    expect(cycle.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const frags = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on AdminUnit { parent { ${i < 19 ? `...F${i + 1}` : 'code'} } }`,
    ).join(' ');
    expectRefused(
      await platform.post('/graphql', { query: `{ unit(code: "11329") { ...F0 } } ${frags}` }),
      400,
      'QUERY_TOO_DEEP',
    );
  });
});

describe('GH5 limits: requests', () => {
  it('a body over MAX_BODY_BYTES is refused with 413 REQUEST_TOO_LARGE on /graphql and /sql', async () => {
    const padding = 'x'.repeat(1_100_000);
    expectRefused(
      await platform.post('/graphql', { query: `{ terms { code } } # ${padding}` }),
      413,
      'REQUEST_TOO_LARGE',
    );
    expectRefused(await platform.post('/sql', { sql: `select 1 -- ${padding}` }), 413, 'REQUEST_TOO_LARGE');
  });

  it('a batch of more than MAX_BATCH operations is refused with BATCH_TOO_LARGE; a smaller batch runs', async () => {
    const op = { query: '{ terms { code } }' };
    expectRefused(
      await platform.post(
        '/graphql',
        Array.from({ length: 11 }, () => op),
      ),
      400,
      'BATCH_TOO_LARGE',
    );
    const ok = await platform.post('/graphql', [op, { query: '{ unit(code: "304") { name } }' }, op]);
    expect(ok.status).toBe(200);
    expect(ok.json).toHaveLength(3);
    expect(ok.json[1].data.unit.name).toBe('Ngô Quyền');
  });

  it('every operation of a batch passes the same limits', async () => {
    const res = await platform.post('/graphql', [{ query: '{ terms { code } }' }, { query: nest(40) }]);
    expect(res.status).toBe(400);
    expect(res.json[0].data.terms.length).toBeGreaterThan(0);
    expect(res.json[1].errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
  });

  it('malformed bodies are client errors, not failures', async () => {
    for (const body of ['{"query": ', '"just a string"', 'null', '[]', '{"query": 42}', '{"variables": {}}']) {
      const res = await platform.post('/graphql', body);
      expect(res.status).toBe(400);
      expect(errorAnswerProblems(res)).toEqual([]);
    }
  });

  it('a POST that is not JSON is refused as a possible cross-site request', async () => {
    const res = await postTo(platform.gatewayUrl, 'query={terms{code}}', platform.adminToken, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('GH5 limits: rate per identity', () => {
  let gateway: ExtraGateway;
  beforeAll(async () => {
    gateway = await platform.startGateway({ RATE_LIMIT_PER_MINUTE: '5' });
  });

  it('the sixth request of a minute gets 429 RATE_LIMITED with Retry-After; other identities are not affected', async () => {
    const alice = await platform.token('viewer', ['304'], { sub: 'alice' });
    const bob = await platform.token('viewer', ['304'], { sub: 'bob' });
    for (let i = 0; i < 5; i += 1)
      expect((await gateway.post('/graphql', { query: '{ terms { code } }' }, alice)).status).toBe(200);
    const limited = await gateway.post('/graphql', { query: '{ terms { code } }' }, alice);
    expectRefused(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    // SQL and exports draw on the same bucket.
    expectRefused(await gateway.post('/sql', { sql: 'select 1' }, alice), 429, 'RATE_LIMITED');
    expect((await gateway.post('/graphql', { query: '{ terms { code } }' }, bob)).status).toBe(200);
  });

  it('a batch costs one request per operation, so batching does not multiply the rate', async () => {
    const carol = await platform.token('viewer', [], { sub: 'carol' });
    const batch = (n: number) => Array.from({ length: n }, () => ({ query: '{ terms { code } }' }));
    const first = await gateway.post('/graphql', batch(4), carol);
    expect(first.status).toBe(200);
    expect(first.json).toHaveLength(4);
    expectRefused(await gateway.post('/graphql', batch(2), carol), 429, 'RATE_LIMITED');
    expect((await gateway.post('/graphql', batch(1), carol)).status).toBe(200);
    expectRefused(await gateway.post('/graphql', { query: '{ terms { code } }' }, carol), 429, 'RATE_LIMITED');
  });
});

describe('GH5 limits: persisted queries', () => {
  const query = '{ unit(code: "305", asOf: "2025-01-01") { name } }';
  const hash = sha256(query);
  const byHash = (h: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: h } } });

  it('APQ: an unknown hash asks for the text, text and hash register it, then the hash alone runs it', async () => {
    const first = await platform.post('/graphql', byHash(hash));
    expect(first.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await platform.post('/graphql', { query, ...byHash(hash) });
    expect(register.json).toEqual({ data: { unit: { name: 'Lê Chân' } } });
    const reuse = await platform.post('/graphql', byHash(hash));
    expect(reuse.json).toEqual({ data: { unit: { name: 'Lê Chân' } } });
    // Over GET too, as CDNs and browsers cache it.
    const get = await fetch(
      `${platform.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify(byHash(hash).extensions))}`,
      {
        headers: { authorization: `Bearer ${platform.adminToken}`, 'apollo-require-preflight': 'true' },
      },
    );
    expect(await get.json()).toEqual({ data: { unit: { name: 'Lê Chân' } } });
  });

  it('APQ: a hash that does not match its text is a client error', async () => {
    const res = await platform.post('/graphql', { query: '{ terms { code } }', ...byHash(hash) });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  describe('allowlist mode', () => {
    let gateway: ExtraGateway;
    const allowed = 'query Wards($code: String!) { unit(code: $code, asOf: "2025-01-01") { name children { code } } }';
    const listedOnly = '{ terms { code } }';
    beforeAll(async () => {
      const manifest = join(dir, 'operations.json');
      writeFileSync(
        manifest,
        JSON.stringify({
          format: 'apollo-persisted-query-manifest',
          version: 1,
          operations: [{ id: sha256(allowed), name: 'Wards', type: 'query', body: allowed }],
        }),
      );
      gateway = await platform.startGateway({ PERSISTED_QUERIES: 'allowlist', ALLOWLIST_PATH: manifest });
    });

    it('a registered operation runs by hash alone or with its text', async () => {
      const variables = { code: '304' };
      const byId = await gateway.post('/graphql', { ...byHash(sha256(allowed)), variables });
      expect(byId.status).toBe(200);
      expect(byId.json.data.unit.children).toHaveLength(8);
      const withText = await gateway.post('/graphql', { query: allowed, variables });
      expect(withText.json).toEqual(byId.json);
    });

    it('anything else is refused with PERSISTED_QUERY_REQUIRED, and cannot be registered through APQ', async () => {
      expectRefused(await gateway.post('/graphql', { query: listedOnly }), 400, 'PERSISTED_QUERY_REQUIRED');
      expectRefused(
        await gateway.post('/graphql', { query: listedOnly, ...byHash(sha256(listedOnly)) }),
        400,
        'PERSISTED_QUERY_REQUIRED',
      );
      const after = await gateway.post('/graphql', byHash(sha256(listedOnly)));
      expect(after.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      // A registered operation with a cosmetic change is a different operation.
      expectRefused(
        await gateway.post('/graphql', { query: `${allowed} `, variables: { code: '304' } }),
        400,
        'PERSISTED_QUERY_REQUIRED',
      );
    });

    it('a manifest whose id is not the digest of its body stops the gateway from starting', async () => {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ operations: [{ id: sha256(allowed), body: listedOnly }] }));
      await expect(platform.startGateway({ PERSISTED_QUERIES: 'allowlist', ALLOWLIST_PATH: bad })).rejects.toThrow(
        /not the sha256 digest/,
      );
    });
  });
});

describe('GH5 production settings and public indicators', () => {
  let prod: ExtraGateway;
  beforeAll(async () => {
    prod = await platform.startGateway({ NODE_ENV: 'production', PUBLIC_INDICATORS: 'PB_NEW_MEMBERS,SS_POOR_RATE' });
  });

  it('introspection is off in production and on in development', async () => {
    const query = '{ __schema { queryType { name } } }';
    const off = await prod.post('/graphql', { query }, platform.adminToken);
    expect(off.status).toBe(400);
    expect(off.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(off.json.data).toBeUndefined();
    const typeQuery = await prod.post(
      '/graphql',
      { query: '{ __type(name: "AdminUnit") { fields { name } } }' },
      platform.adminToken,
    );
    expect(typeQuery.status).toBe(400);
    const on = await platform.gql(query);
    expect(on.data.__schema.queryType.name).toBe('Query');
  });

  it('field suggestions are off in production and on in development', async () => {
    const query = '{ unit(code: "304") { nme } }';
    const prodAnswer = await prod.post('/graphql', { query }, platform.adminToken);
    expect(prodAnswer.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(prodAnswer.json.errors[0].message).not.toMatch(/did you mean/i);
    expect(prodAnswer.json.errors[0].message).not.toMatch(/"name"/);
    const devAnswer = await platform.post('/graphql', { query });
    expect(devAnswer.json.errors[0].message).toMatch(/Did you mean "name"/);
    const badArg = await prod.post('/graphql', { query: '{ unit(cod: "304") { name } }' }, platform.adminToken);
    expect(badArg.json.errors[0].message).not.toMatch(/did you mean/i);
  });

  it("no explorer page in production; in development a browser is sent to the console's offline GraphiQL", async () => {
    const res = await fetch(prod.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).not.toBe(302);
    expect(res.headers.get('content-type') ?? '').not.toMatch(/html/);
    const dev = await fetch(platform.gatewayUrl, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(dev.status).toBe(302);
    expect(dev.headers.get('location')).toBe('/#/explorer');
  });

  it('a broken query gets a clean error: no stack trace, no internals', async () => {
    for (const query of [
      '{ unit(code: "304") { name }',
      'query { ... }',
      '{ unit(code: 304) { name } }',
      'mutation { nothing }',
      '{ aggregate(query: {indicators: ["X"], units: ["304"], periods: ["nope"]}) { rows { value } } }',
    ]) {
      const res = await prod.post('/graphql', { query }, platform.adminToken);
      expect(errorAnswerProblems(res)).toEqual([]);
      expect(res.text).not.toMatch(/stacktrace|at \w+ \(/);
    }
  });

  it("a subgraph's refusal of a value the gateway cannot check (a custom scalar) comes back as that subgraph's client error", async () => {
    const res = await prod.post(
      '/graphql',
      { query: 'query($d: Date) { unit(code: "304", asOf: $d) { name } }', variables: { d: '2025-02-30' } },
      platform.adminToken,
    );
    expect(res.json.data).toEqual({ unit: null });
    expect(res.json.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', serviceName: 'reference' } }),
    ]);
    expect(res.json.errors[0].message).toMatch(/2025-02-30/);
    expect(errorAnswerProblems(res)).toEqual([]);
  });

  it('a subgraph that refuses the gateway itself (a wrong internal secret) is an internal error: masked, no address, no details', async () => {
    const misconfigured = await platform.startGateway({
      NODE_ENV: 'production',
      INTERNAL_SECRET: 'not-the-platform-secret-0123456789abcdef0123',
    });
    const res = await misconfigured.post('/graphql', {
      query:
        '{ unit(code: "304") { name } aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }',
    });
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual({ unit: null, aggregate: null });
    for (const error of res.json.errors) {
      expect(error.message).toBe('Internal server error');
      expect(error.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        serviceName: expect.stringMatching(/^(reference|analytics)$/),
      });
    }
    expect(leakProblems(res.text)).toEqual([]);
    // The details are in the gateway's own log, for the operator (its output may reach the test just
    // after the answer).
    await eventually(
      'the gateway to log the refusal',
      async () => (/subgraph refused a request/.test(misconfigured.logs.join('\n')) ? true : undefined),
      10_000,
    );
    await misconfigured.stop();
  });

  describe('anonymous callers with PUBLIC_INDICATORS', () => {
    it('read reference data', async () => {
      const res = await prod.post(
        '/graphql',
        {
          query:
            '{ unit(code: "304", asOf: "2025-01-01") { name children { code } } indicators(domain: PARTY) { code } }',
        },
        null,
      );
      expect(res.status).toBe(200);
      expect(res.json.errors).toBeUndefined();
      expect(res.json.data.unit.children).toHaveLength(8);
    });

    it('read a published indicator through aggregate and AdminUnit.indicator, for any unit', async () => {
      const res = await prod.post(
        '/graphql',
        {
          query: `{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304", "305"], periods: ["2025S1"]}) { rows { unit { code } value } }
                    unit(id: "304@2000-01-01") { indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value target } } }`,
        },
        null,
      );
      expect(res.json.errors).toBeUndefined();
      expect(res.json.data.aggregate.rows.find((r: any) => r.unit.code === '304').value).toBe(254);
      expect(res.json.data.unit.indicator).toEqual({ value: 254, target: 271 });
    });

    it.each([
      [
        'an unpublished indicator in aggregate',
        '{ aggregate(query: {indicators: ["PB_INSPECTIONS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }',
        {},
      ],
      [
        'an unpublished indicator next to a published one',
        '{ aggregate(query: {indicators: ["PB_NEW_MEMBERS", "EB_BUDGET_REV"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }',
        {},
      ],
      [
        'an unpublished indicator in a variable',
        'query($q: AggregateQuery!) { aggregate(query: $q) { rows { value } } }',
        { q: { indicators: ['EB_BUDGET_REV'], units: ['304'], periods: ['2025S1'] } },
      ],
      [
        'an unpublished AdminUnit.indicator',
        '{ unit(code: "304") { indicator(code: "PB_INSPECTIONS", period: "2025S1") { value } } }',
        {},
      ],
      [
        'an unpublished AdminUnit.indicator in a variable',
        'query($c: String!) { unit(code: "304") { indicator(code: $c, period: "2025S1") { value } } }',
        { c: 'SS_NEAR_POOR_HH' },
      ],
      ['recorded figures', '{ unit(code: "304") { partyFigures { value } } }', {}],
      ['domain records', '{ unit(code: "304") { budgetEstimates { amount } } }', {}],
      [
        'recorded figures in a fragment',
        '{ unit(code: "304") { ...F } } fragment F on AdminUnit { socialFigures { value } }',
        {},
      ],
      [
        'recorded figures in an inline fragment',
        '{ unit(code: "304") { ... on AdminUnit { economyFigures { value } } } }',
        {},
      ],
      [
        'a mutation',
        'mutation { party { recordObservations(input: [{indicator: "PB_NEW_MEMBERS", unit: "304", period: "2025S1", value: 1}]) { ok } } }',
        {},
      ],
      [
        'a second operation with closed fields',
        'query A { terms { code } } query B { unit(code: "304") { partyFigures { value } } }',
        {},
      ],
    ])('are refused %s (FORBIDDEN, nothing runs)', async (_name, query, variables) => {
      const body = query.includes('query A') ? { query, variables, operationName: 'A' } : { query, variables };
      expectRefused(await prod.post('/graphql', body, null), 403, 'FORBIDDEN');
    });

    it('may not use SQL or exports', async () => {
      expectRefused(
        await prod.post('/sql', { sql: 'select count(*) from observations' }, null),
        401,
        'UNAUTHENTICATED',
      );
      expectRefused(
        await prod.post(
          '/export',
          { aggregate: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] } },
          null,
        ),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('a signed-in caller on the same gateway keeps the scope of their token', async () => {
      const viewer = await platform.token('viewer', ['305']);
      const res = await prod.post(
        '/graphql',
        { query: '{ unit(code: "304", asOf: "2025-01-01") { partyFigures { value } } }' },
        viewer,
      );
      expect(res.json.errors[0].extensions.code).toBe('FORBIDDEN');
      const own = await prod.post(
        '/graphql',
        { query: '{ unit(code: "305", asOf: "2025-01-01") { partyFigures { value } } }' },
        viewer,
      );
      expect(own.json.errors).toBeUndefined();
      expect(own.json.data.unit.partyFigures.length).toBeGreaterThan(0);
    });

    it('the subgraphs hold the line even if the gateway let a public identity through', async () => {
      // A public identity signed with the internal secret is what the gateway forwards; each subgraph
      // must refuse it everything but reference data and published figures on its own.
      const headers = await platform.forwardedHeaders({
        sub: 'anonymous',
        role: 'public',
        units: [],
        indicators: ['PB_NEW_MEMBERS'],
      });
      const asPublic = (service: 'party' | 'analytics' | 'reference', body: unknown, path = '/graphql') =>
        postTo(`${platform.serviceUrl(service)}${path}`, body, null, headers);
      const figures = await asPublic('party', {
        query:
          '{ _entities(representations: [{__typename: "AdminUnit", id: "304@2000-01-01"}]) { ... on AdminUnit { partyFigures { value } } } }',
      });
      expect(figures.json.errors[0].extensions.code).toBe('FORBIDDEN');
      const write = await asPublic('party', {
        query:
          'mutation { party { recordObservations(input: [{indicator: "PB_NEW_MEMBERS", unit: "304", period: "2018S2", value: 1}]) { ok } } }',
      });
      expect(write.json.errors[0].extensions.code).toBe('FORBIDDEN');
      const closed = await asPublic('analytics', {
        query:
          '{ aggregate(query: {indicators: ["PB_INSPECTIONS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }',
      });
      expect(closed.json.errors[0].extensions.code).toBe('FORBIDDEN');
      const sql = await asPublic('analytics', { sql: 'select 1' }, '/sql');
      expect(sql.status).toBe(403);
      const reference = await asPublic('reference', { query: '{ unit(code: "304", asOf: "2025-01-01") { name } }' });
      expect(reference.json.data.unit.name).toBe('Ngô Quyền');
      const open = await asPublic('analytics', {
        query:
          '{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { value } } }',
      });
      expect(open.json.errors).toBeUndefined();
      expect(open.json.data.aggregate.rows[0].value).toBe(254);
    });

    it('a gateway configured with an unknown public indicator does not start', async () => {
      await expect(platform.startGateway({ PUBLIC_INDICATORS: 'PB_NEW_MEMBERS,NOT_AN_INDICATOR' })).rejects.toThrow(
        /NOT_AN_INDICATOR/,
      );
    });
  });
});

describe('GH5 identity from a JWKS URL, with issuer and audience', () => {
  it('accepts a token signed by a key of the JWKS with the right issuer and audience, and nothing else', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    const gateway = await platform.startGateway({
      JWKS_URL: jwksUrl,
      JWT_ISSUER: 'https://id.example.gov.vn',
      JWT_AUDIENCE: 'lgr',
    });
    try {
      const sign = (
        claims: { iss?: string; aud?: string },
        key: Parameters<SignJWT['sign']>[0] = privateKey,
        alg = 'RS256',
      ) =>
        new SignJWT({ role: 'viewer', units: ['304'] })
          .setProtectedHeader({ alg, kid: 'k1' })
          .setSubject('jwks-user')
          .setIssuer(claims.iss ?? 'https://id.example.gov.vn')
          .setAudience(claims.aud ?? 'lgr')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key);
      const query = { query: '{ unit(code: "304", asOf: "2025-01-01") { partyFigures(period: "2025S1") { value } } }' };
      const ok = await gateway.post('/graphql', query, await sign({}));
      expect(ok.status).toBe(200);
      expect(ok.json.data.unit.partyFigures.length).toBeGreaterThan(0);
      for (const token of [
        await sign({ aud: 'someone-else' }),
        await sign({ iss: 'https://evil.example' }),
        await sign({}, (await generateKeyPair('RS256')).privateKey),
        await sign({}, new TextEncoder().encode(platform.jwtSecret), 'HS256'),
        await platform.token('admin'),
      ]) {
        expectRefused(await gateway.post('/graphql', query, token), 401, 'UNAUTHENTICATED');
      }
    } finally {
      await gateway.stop();
      server.close();
    }
  });
});

describe('GH5 timeouts and draining', () => {
  it('a subgraph that hangs (SIGSTOP) times out as TIMEOUT naming it, with the rest of the answer intact and no internals', async () => {
    const gateway = await platform.startGateway({ SUBGRAPH_TIMEOUT_MS: '1500' });
    const party = platform.process('party')!;
    party.kill('SIGSTOP');
    try {
      const res = await gateway.post('/graphql', {
        query: '{ unit(id: "304@2000-01-01") { name partyFigures { value } economyFigures { value } } }',
      });
      expect(res.status).toBe(200);
      expect(res.json.data.unit.name).toBe('Ngô Quyền');
      expect(res.json.data.unit.partyFigures).toBeNull();
      expect(res.json.data.unit.economyFigures.length).toBeGreaterThan(0);
      expect(res.json.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'TIMEOUT', serviceName: 'party' } }),
      ]);
      expect(leakProblems(res.text)).toEqual([]);
    } finally {
      party.kill('SIGCONT');
    }
    const after = await gateway.post('/graphql', {
      query: '{ unit(id: "304@2000-01-01") { partyFigures { value } } }',
    });
    expect(after.json.errors).toBeUndefined();
    await gateway.stop();
  });

  it('a request in flight when the gateway gets SIGTERM completes; then the gateway exits cleanly', async () => {
    const gateway = await platform.startGateway();
    const party = platform.process('party')!;
    party.kill('SIGSTOP');
    let inFlight: Promise<Awaited<ReturnType<ExtraGateway['post']>>>;
    try {
      inFlight = gateway.post('/graphql', {
        query: '{ unit(id: "304@2000-01-01") { name partyFigures { period value } } }',
      });
      await sleep(500);
      gateway.process.kill('SIGTERM');
      // The gateway waits for the request: it is still running while party is stopped.
      expect(await waitForExit(gateway.process, 1000)).toBe(false);
    } finally {
      party.kill('SIGCONT');
    }
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.unit.partyFigures.length).toBeGreaterThan(0);
    expect(await waitForExit(gateway.process, 15_000)).toBe(true);
    expect(gateway.process.exitCode).toBe(0);
  });
});

describe('GH5 GraphQL over HTTP: graphql-http server audits', () => {
  it('no required audit fails', async () => {
    const fetchFn = (input: string | URL | Request, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${platform.adminToken}`);
      return fetch(input, { ...init, headers });
    };
    const results: Record<string, string[]> = { ok: [], notice: [], warn: [], error: [] };
    for (const audit of serverAudits({ url: platform.gatewayUrl, fetchFn })) {
      const result = await audit.fn();
      (results[result.status] ??= []).push(
        `${audit.id} ${audit.name}${result.status === 'ok' ? '' : `: ${(result as { reason?: string }).reason}`}`,
      );
    }
    const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.length]));
    process.stdout.write(
      `graphql-http audits: ${JSON.stringify(summary)}\n${[...results.notice!, ...results.warn!].map((l) => `  ${l}`).join('\n')}\n`,
    );
    expect(results.error).toEqual([]);
    expect(results.ok!.length).toBeGreaterThanOrEqual(50);
  });
});
