import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { SignJWT } from 'jose';
import { Identity } from '@lgr/kit';
import { postTo, startTestPlatform, TestPlatform } from '../harness';
import { withoutUnits } from '../support';

/**
 * Issue 5: who may read and write what. Every role (viewer, editor, analyst, admin) with every scope
 * ([304] Ngô Quyền district, [305] Lê Chân district, [31] Hải Phòng city, [] nothing) against every
 * read and write path of the platform, through the gateway, over real processes.
 */

const ROLES = ['viewer', 'editor', 'analyst', 'admin'] as const;
type Role = (typeof ROLES)[number];

interface ScopeCase {
  readonly name: string;
  readonly units: string[];
  /** Whether the scope holds unit 304 (the subject of every path). */
  readonly has304: boolean;
  /** Whether the scope holds unit 305 (a neighbour with figures of its own). */
  readonly has305: boolean;
}

const SCOPES: ScopeCase[] = [
  { name: '[304]', units: ['304'], has304: true, has305: false },
  { name: '[305]', units: ['305'], has304: false, has305: true },
  { name: '[31]', units: ['31'], has304: true, has305: true },
  { name: '[]', units: [], has304: false, has305: false },
];

/** Ngô Quyền district's version (valid until 2025-06-30), which holds the seed report's figures. */
const UNIT_304 = '304@2000-01-01';
const UNIT_305 = '305@2000-01-01';
/** A period no demo data uses, so that the matrix's writes never touch a figure other tests read. */
const WRITE_PERIOD = '2018S1';
const DOMAINS = [
  { name: 'party', indicator: 'PB_NEW_MEMBERS' },
  { name: 'economy', indicator: 'EB_BUDGET_REV' },
  { name: 'social', indicator: 'SS_JOBS_CREATED' },
] as const;

type Outcome = 'allowed' | string;

interface PathCase {
  readonly name: string;
  readonly kind: 'read' | 'write' | 'sql' | 'reference';
  /** Runs the path as the caller; returns 'allowed' or the error code the caller got. */
  run(token: string, ctx: { role: Role; scope: ScopeCase }): Promise<Outcome>;
}

let platform: TestPlatform;
/** What an admin sees through SQL: rows of unit 304 and 305 and all rows (outside WRITE_PERIOD). */
let adminCounts: { u304: number; u305: number; all: number };
/** The value each domain's written key must hold at the end: the last allowed write. */
const lastWritten: Record<string, number> = {};
let writeCounter = 1000;

const SQL_COUNTS = `select count(*) filter (where unit_id = '${UNIT_304}') as u304, count(*) filter (where unit_id = '${UNIT_305}') as u305, count(*) as n from observations where period <> '${WRITE_PERIOD}'`;

function expected(role: Role, scope: ScopeCase, path: PathCase): Outcome {
  const inScope = role === 'admin' || scope.has304;
  switch (path.kind) {
    case 'reference':
      return 'allowed';
    case 'read':
      return inScope ? 'allowed' : 'FORBIDDEN';
    case 'write':
      return (role === 'editor' || role === 'admin') && inScope ? 'allowed' : 'FORBIDDEN';
    case 'sql':
      return role === 'analyst' || role === 'admin' ? 'allowed' : 'FORBIDDEN';
  }
}

/** The outcome of a GraphQL field read: allowed with a value, or the one error code at its path. */
async function fieldOutcome(
  token: string,
  query: string,
  path: string[],
  check: (value: any) => void,
): Promise<Outcome> {
  const answer = await platform.gql(query, {}, token);
  let value: any = answer.data;
  for (const key of path) value = value?.[key];
  const errors = (answer.errors ?? []).filter((e) => JSON.stringify(e.path ?? []) === JSON.stringify(path));
  if (errors.length) {
    expect(value ?? null).toBeNull();
    expect(answer.errors).toHaveLength(errors.length);
    return String(errors[0]!.extensions?.code);
  }
  expect(answer.errors).toBeUndefined();
  check(value);
  return 'allowed';
}

const unitField = (
  field: string,
  check: (value: any) => void = (v) => expect(Array.isArray(v) ? v.length : v).toBeTruthy(),
): PathCase => ({
  name: `AdminUnit.${field.replace(/[\s({].*$/, '')}`,
  kind: 'read',
  run: (token) =>
    fieldOutcome(token, `{ unit(id: "${UNIT_304}") { ${field} } }`, ['unit', field.replace(/[\s({].*$/, '')], check),
});

const PATHS: PathCase[] = [
  {
    name: 'reference: unit, units, indicators, terms',
    kind: 'reference',
    run: async (token) => {
      const answer = await platform.gql(
        `{ unit(code: "304", asOf: "2025-01-01") { id name children { code } }
           units(parent: "31", level: DISTRICT, asOf: "2025-01-01") { totalCount }
           indicators(domain: PARTY) { code } terms { code } }`,
        {},
        token,
      );
      if (answer.errors) return String(answer.errors[0]!.extensions?.code);
      expect(answer.data.unit).toMatchObject({ id: UNIT_304, name: 'Ngô Quyền' });
      expect(answer.data.unit.children).toHaveLength(8);
      expect(answer.data.units.totalCount).toBeGreaterThan(10);
      expect(answer.data.indicators.length).toBeGreaterThan(5);
      expect(answer.data.terms.length).toBeGreaterThan(1);
      return 'allowed';
    },
  },
  unitField('partyFigures { period value }'),
  unitField('economyFigures { period value }'),
  unitField('socialFigures { period value }'),
  unitField('partyOrganisations { name }'),
  unitField('partyCongresses { body }'),
  unitField('congressResolutionTargets(term: "2020-2025") { summary { total } }', (v) =>
    expect(v.summary.total).toBe(16),
  ),
  unitField('budgetEstimates { amount }'),
  unitField('recruitmentQuotas { quota }'),
  {
    name: 'aggregate',
    kind: 'read',
    run: (token) =>
      fieldOutcome(
        token,
        '{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { unit { code } value target } } }',
        ['aggregate'],
        (v) => expect(v.rows).toEqual([{ unit: { code: '304' }, value: 254, target: 271 }]),
      ),
  },
  {
    name: 'AdminUnit.indicator',
    kind: 'read',
    run: (token) =>
      fieldOutcome(
        token,
        `{ unit(id: "${UNIT_304}") { indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value target } } }`,
        ['unit', 'indicator'],
        (v) => expect(v).toEqual({ value: 254, target: 271 }),
      ),
  },
  ...DOMAINS.map((domain): PathCase => ({
    name: `${domain.name}.recordObservations`,
    kind: 'write',
    run: async (token) => {
      const value = (writeCounter += 1);
      const answer = await platform.gql(
        `mutation($input: [ObservationInput!]!) { ${domain.name} { recordObservations(input: $input) { ok inserted updated unchanged errors { index field message code } } } }`,
        { input: [{ indicator: domain.indicator, unit: '304', period: WRITE_PERIOD, value }] },
        token,
      );
      if (answer.errors) {
        // Refused as a whole (the role may not write): no payload comes back.
        expect(answer.data?.[domain.name]?.recordObservations ?? null).toBeNull();
        expect(answer.errors).toHaveLength(1);
        expect(answer.errors[0]!.path).toEqual([domain.name, 'recordObservations']);
        return String(answer.errors[0]!.extensions?.code);
      }
      const payload = answer.data[domain.name].recordObservations;
      if (!payload.ok) {
        expect(payload).toMatchObject({ inserted: 0, updated: 0, unchanged: 0 });
        expect(payload.errors).toHaveLength(1);
        expect(payload.errors[0]).toMatchObject({ index: 0, field: 'unit' });
        return String(payload.errors[0].code);
      }
      expect(payload.errors).toEqual([]);
      expect(payload.inserted + payload.updated).toBe(1);
      lastWritten[domain.name] = value;
      return 'allowed';
    },
  })),
  {
    name: 'POST /sql',
    kind: 'sql',
    run: async (token, { role, scope }) => {
      const res = await platform.post('/sql', { sql: SQL_COUNTS }, token);
      if (res.status !== 200) return errorCodeOf(res);
      const [u304, u305, all] = res.json.rows[0] as number[];
      const sees = (has: boolean, n: number) => (role === 'admin' || has ? n : 0);
      // Analysts' SQL sees exactly the rows of their units: the whole of 304 and 305 when in scope, none otherwise.
      expect({ u304, u305 }).toEqual({
        u304: sees(scope.has304, adminCounts.u304),
        u305: sees(scope.has305, adminCounts.u305),
      });
      if (role === 'admin') expect(all).toBe(adminCounts.all);
      else if (!scope.units.length) expect(all).toBe(0);
      // New Hải Phòng (31) holds the whole demo territory, old Hải Dương included (wholly inside it).
      else if (scope.units.includes('31')) expect(all).toBe(adminCounts.all);
      else expect(all).toBeLessThan(adminCounts.all);
      return 'allowed';
    },
  },
  {
    name: 'POST /export (aggregate, CSV)',
    kind: 'read',
    run: async (token) => {
      const res = await platform.post(
        '/export',
        { aggregate: { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2025S1'] }, format: 'csv' },
        token,
      );
      if (res.status !== 200) return errorCodeOf(res);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const [header, row] = res.text.trim().split('\n');
      const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
      expect(cells).toMatchObject({ indicator: 'PB_NEW_MEMBERS', unit_code: '304', value: '254', target: '271' });
      return 'allowed';
    },
  },
  {
    name: 'POST /export (SQL, Parquet)',
    kind: 'sql',
    run: async (token, { role, scope }) => {
      const body = {
        sql: `select count(*) as n from observations where unit_id = '${UNIT_304}' and period <> '${WRITE_PERIOD}'`,
        format: 'parquet',
      };
      const res = await fetch(`${platform.baseUrl}/export`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200)
        return errorCodeOf({ status: res.status, text: bytes.toString(), json: JSON.parse(bytes.toString()) });
      expect(res.headers.get('content-type')).toMatch(/parquet/);
      expect(await readParquet(bytes)).toEqual([{ n: role === 'admin' || scope.has304 ? adminCounts.u304 : 0 }]);
      return 'allowed';
    },
  },
];

/** The rows of a Parquet file, read back by DuckDB (numbers as numbers). */
async function readParquet(bytes: Buffer): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lgr-parquet-'));
  const file = join(dir, 'export.parquet');
  writeFileSync(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`select * from read_parquet('${file}')`);
    return reader
      .getRowObjectsJson()
      .map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]),
        ),
      );
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

function errorCodeOf(res: { status: number; json: any; text: string }): string {
  const code = res.json?.errors?.[0]?.extensions?.code;
  if (typeof code !== 'string') throw new Error(`HTTP ${res.status} without an error code: ${res.text.slice(0, 300)}`);
  expect(res.status).toBe(code === 'FORBIDDEN' ? 403 : code === 'UNAUTHENTICATED' ? 401 : res.status);
  return code;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  const res = await platform.post('/sql', { sql: SQL_COUNTS }, platform.adminToken);
  expect(res.status).toBe(200);
  const [u304, u305, all] = res.json.rows[0] as number[];
  adminCounts = { u304: u304!, u305: u305!, all: all! };
  expect(adminCounts.u304).toBeGreaterThan(0);
  expect(adminCounts.u305).toBeGreaterThan(0);
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describe.each(ROLES.flatMap((role) => SCOPES.map((scope) => [role, scope.name, scope] as const)))(
  'GH5 matrix: %s with units %s',
  (role, _name, scope) => {
    let token: string;
    beforeAll(async () => {
      token = await platform.token(role, scope.units);
    });

    it.each(PATHS.map((p) => [p.name, p] as const))('%s', async (_name, path) => {
      const outcome = await path.run(token, { role, scope });
      expect(outcome).toBe(expected(role, scope, path));
    });
  },
);

describe('GH5 matrix: results of writes', () => {
  it('each domain holds exactly the last allowed write; refused writes left nothing', async () => {
    for (const domain of DOMAINS) {
      const answer = await platform.gql(
        `{ unit(id: "${UNIT_304}") { ${domain.name}Figures(period: "${WRITE_PERIOD}") { indicator { code } value } } }`,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data.unit[`${domain.name}Figures`]).toEqual([
        { indicator: { code: domain.indicator }, value: lastWritten[domain.name] },
      ]);
    }
  });
});

describe('GH5 matrix: callers without a valid token', () => {
  const secret = () => new TextEncoder().encode(platform.jwtSecret);
  const sign = (
    claims: Record<string, unknown>,
    exp: string | number = '1h',
    key: Uint8Array = secret(),
    alg = 'HS256',
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg })
      .setSubject('someone')
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(key);

  const badTokens: [string, () => Promise<string>][] = [
    ['expired', () => sign({ role: 'admin', units: [] }, Math.floor(Date.now() / 1000) - 60)],
    [
      'signed with another secret',
      () =>
        sign(
          { role: 'admin', units: [] },
          '1h',
          new TextEncoder().encode('another-secret-0123456789abcdef0123456789abcdef'),
        ),
    ],
    [
      'unsigned (alg none)',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', role: 'admin', units: [], exp: Math.floor(Date.now() / 1000) + 3600 })}.`,
    ],
    ['with an unknown role', () => sign({ role: 'superuser', units: [] })],
    ['with the internal service role', () => sign({ role: 'service', units: [] })],
    ['with units that are not unit codes', () => sign({ role: 'viewer', units: ['304 OR 1=1'] })],
    [
      'without an expiry',
      () =>
        new SignJWT({ role: 'admin', units: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(secret()),
    ],
    ['that is not a JWT', async () => 'not-a-jwt'],
  ];

  it.each(badTokens)('a token %s is refused on every path with UNAUTHENTICATED', async (_name, make) => {
    const token = await make();
    await expectRefusedEverywhere(token);
  });

  it('no token at all is refused on every path with UNAUTHENTICATED (anonymous access is off by default)', async () => {
    await expectRefusedEverywhere(null);
  });

  it('an Authorization header that is not a bearer token is refused', async () => {
    const res = await postTo(platform.gatewayUrl, { query: '{ terms { code } }' }, null, {
      authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
    });
    expect(res.status).toBe(401);
    expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  async function expectRefusedEverywhere(token: string | null): Promise<void> {
    const answers = [
      await platform.post('/graphql', { query: '{ terms { code } }' }, token),
      await platform.post('/graphql', { query: `{ unit(id: "${UNIT_304}") { partyFigures { value } } }` }, token),
      await platform.post(
        '/graphql',
        {
          query:
            'mutation { party { recordObservations(input: [{indicator: "PB_NEW_MEMBERS", unit: "304", period: "2018S2", value: 1}]) { ok } } }',
        },
        token,
      ),
      await platform.post('/sql', { sql: 'select 1' }, token),
      await platform.post('/export', { sql: 'select 1' }, token),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.json.errors).toHaveLength(1);
      expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(res.json.data).toBeUndefined();
    }
  }
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('GH5 matrix: denials do not tell whether out-of-scope data exists', () => {
  // 305 (Lê Chân) holds figures and records; 01 (Hà Nội) exists but holds none; 99999 does not exist.
  const WITH_DATA = UNIT_305;
  const WITHOUT_DATA = '01@2000-01-01';

  it('figures and records of a unit outside the scope: the same error whether or not it holds any', async () => {
    const token = await platform.token('viewer', ['304']);
    const admin = await platform.gql(
      `{ a: unit(id: "${WITH_DATA}") { partyFigures { value } } b: unit(id: "${WITHOUT_DATA}") { partyFigures { value } } }`,
    );
    expect(admin.data.a.partyFigures.length).toBeGreaterThan(0);
    expect(admin.data.b.partyFigures).toEqual([]);
    const fields = [
      'partyFigures { value }',
      'economyFigures { value }',
      'socialFigures { value }',
      'partyOrganisations { name }',
      'budgetEstimates { amount }',
      'recruitmentQuotas { quota }',
      'indicator(code: "PB_NEW_MEMBERS", period: "2025S1") { value }',
    ];
    for (const field of fields) {
      const answers = await Promise.all(
        [WITH_DATA, WITHOUT_DATA].map((id) => platform.gql(`{ unit(id: "${id}") { ${field} } }`, {}, token)),
      );
      const shapes = answers.map((a) => ({
        status: a.status,
        data: a.data,
        errors: a.errors?.map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })),
      }));
      expect(shapes[0]!.errors?.[0]?.code).toBe('FORBIDDEN');
      expect(shapes[0]!.errors).toEqual(shapes[1]!.errors);
      expect(shapes[0]!.status).toBe(shapes[1]!.status);
    }
  });

  it('aggregate and exports outside the scope: the same refusal for a unit with data, without data, and one that does not exist', async () => {
    const token = await platform.token('analyst', ['304']);
    const shapes = [];
    for (const code of ['305', '01', '99999']) {
      const q = { indicators: ['PB_NEW_MEMBERS'], units: [code], periods: ['2025S1'] };
      const gql = await platform.gql(
        'query($q: AggregateQuery!) { aggregate(query: $q) { rows { value } } }',
        { q },
        token,
      );
      const exported = await platform.post('/export', { aggregate: q, format: 'csv' }, token);
      shapes.push({
        gql: {
          status: gql.status,
          data: gql.data,
          errors: gql.errors!.map((e) => ({
            code: e.extensions?.code,
            message: withoutUnits(e.message),
            path: e.path,
          })),
        },
        exported: {
          status: exported.status,
          code: exported.json.errors[0].extensions.code,
          message: withoutUnits(exported.json.errors[0].message),
        },
      });
    }
    expect(shapes[0]!.gql.errors[0]!.code).toBe('FORBIDDEN');
    expect(shapes[0]!.exported).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });

  it("analysts' SQL: a unit outside the scope looks empty, exactly like a unit without figures", async () => {
    const token = await platform.token('analyst', ['304']);
    const res = await platform.post(
      '/sql',
      {
        sql: `select unit_id, count(*) as n from observations where unit_id in ('${WITH_DATA}', '${WITHOUT_DATA}', '99999@2000-01-01') group by unit_id`,
      },
      token,
    );
    expect(res.status).toBe(200);
    expect(res.json.rows).toEqual([]);
    const units = await platform.post(
      '/sql',
      { sql: `select count(*) as n from units where code in ('305', '01')` },
      token,
    );
    expect(units.json.rows).toEqual([[0]]);
  });

  it('writes outside the scope: the same row error for a unit with figures and one without', async () => {
    const token = await platform.token('editor', ['304']);
    const messages = [];
    for (const code of ['305', '01']) {
      const answer = await platform.gql(
        'mutation($input: [ObservationInput!]!) { party { recordObservations(input: $input) { ok errors { index field code message } } } }',
        { input: [{ indicator: 'PB_NEW_MEMBERS', unit: code, period: '2025S1', value: 1 }] },
        token,
      );
      const payload = answer.data.party.recordObservations;
      expect(payload.ok).toBe(false);
      messages.push(payload.errors.map((e: any) => ({ ...e, message: withoutUnits(e.message) })));
    }
    expect(messages[0][0]).toMatchObject({ index: 0, field: 'unit', code: 'FORBIDDEN' });
    expect(messages[1]).toEqual(messages[0]);
  });
});

describe('GH5 matrix: subgraphs reached directly', () => {
  const SUBGRAPHS = ['reference', 'party', 'economy', 'social', 'analytics'] as const;
  const viewer: Identity = { sub: 'direct-viewer', role: 'viewer', units: ['304'] };

  it.each(SUBGRAPHS)('%s answers /health without an identity and refuses everything else (401)', async (name) => {
    const base = platform.serviceUrl(name);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const forgedHeaders = {
      'x-lgr-identity': await new SignJWT({ role: 'admin', units: [] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('forger')
        .setIssuer('lgr-platform')
        .setAudience('lgr-subgraphs')
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(new TextEncoder().encode(platform.jwtSecret)),
    };
    const expiredHeaders = {
      'x-lgr-identity': await new SignJWT({ role: 'admin', units: [] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('late')
        .setIssuer('lgr-platform')
        .setAudience('lgr-subgraphs')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
        .sign(new TextEncoder().encode(platform.internalSecret)),
    };
    const userToken = { 'x-lgr-identity': platform.adminToken };
    for (const headers of [{}, forgedHeaders, expiredHeaders, userToken]) {
      for (const path of ['/graphql', '/metrics', '/sql', '/export', '/internal/feed']) {
        const res = await postTo(`${base}${path}`, { query: '{ __typename }', sql: 'select 1' }, null, headers);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        const get = await fetch(`${base}${path}`, { headers });
        expect({ path, status: get.status }).toEqual({ path, status: 401 });
      }
    }
    // With a valid forwarded identity the same endpoint answers: the refusals above were about identity.
    const ok = await postTo(
      `${base}/graphql`,
      { query: '{ __typename }' },
      null,
      await platform.forwardedHeaders(viewer),
    );
    expect(ok.status).toBe(200);
    expect(ok.json.data.__typename).toBe('Query');
  });

  it.each(['party', 'economy', 'social'] as const)(
    "%s's change feed is for platform services only, even with a valid user identity",
    async (name) => {
      const res = await fetch(`${platform.serviceUrl(name)}/internal/feed?after=0&limit=1`, {
        headers: await platform.forwardedHeaders({ sub: 'x', role: 'admin', units: [] }),
      });
      expect(res.status).toBe(403);
      const service = await fetch(`${platform.serviceUrl(name)}/internal/feed?after=0&limit=1`, {
        headers: await platform.forwardedHeaders({ sub: 'platform-service', role: 'service', units: [] }),
      });
      expect(service.status).toBe(200);
    },
  );
});
