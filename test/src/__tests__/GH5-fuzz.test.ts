import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { parseIngest } from '@lgr/observations';
import { findIndicator } from '@lgr/schema';
import { postTo, RawResponse, ServiceName, startTestPlatform, TestPlatform } from '../harness';
import { ANALYTICS_DIGEST_SQL, DOMAINS, domainStoresSummary, FactsSummary } from '../stores';
import { errorAnswerProblems, leakProblems } from '../support';

/**
 * Issue 5: hostile input. Malformed queries, variables, JSON bodies, ingest rows (CSV through the
 * CLI's own parser and the CLI itself) and SQL are thrown at the platform with fast-check (fixed seed,
 * so every run sends the same inputs). Every answer must be well formed: JSON whose errors each have a
 * message and a registered code, never an internal error or a stack trace. Afterwards every process is
 * still up and the stored figures are exactly what they were.
 */

const SEED = 20250705;
const RUNS = Number(process.env.GH5_FUZZ_RUNS ?? 120);
const SERVICES: ServiceName[] = ['gateway', 'reference', 'party', 'economy', 'social', 'analytics'];

let platform: TestPlatform;
let dir: string;
let before: {
  stores: FactsSummary;
  analytics: FactsSummary;
  seqs: Record<string, number>;
  pids: Record<string, number | undefined>;
};
let cases = 0;
const tally: Record<string, number> = {};

async function analyticsSummary(): Promise<FactsSummary> {
  const run = async (sql: string) => (await platform.post('/sql', { sql })).json.rows[0] as [number, string];
  const [values, valuesDigest] = await run(ANALYTICS_DIGEST_SQL('observations', 'value'));
  const [targets, targetsDigest] = await run(ANALYTICS_DIGEST_SQL('targets', 'target'));
  return { values, valuesDigest, targets, targetsDigest };
}

async function feedSeqs(): Promise<Record<string, number>> {
  return Object.fromEntries(
    await Promise.all(
      DOMAINS.map(
        async (d) =>
          [
            d,
            ((await (await fetch(`${platform.serviceUrl(d)}/health`)).json()) as { lastSeq: number }).lastSeq,
          ] as const,
      ),
    ),
  );
}

beforeAll(async () => {
  // Rate limiting is tested elsewhere; here it would only turn answers into 429s.
  platform = await startTestPlatform({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  dir = mkdtempSync(join(tmpdir(), 'lgr-gh5-fuzz-'));
  before = {
    stores: domainStoresSummary(platform.dataDir),
    analytics: await analyticsSummary(),
    seqs: await feedSeqs(),
    pids: Object.fromEntries(SERVICES.map((s) => [s, platform.process(s)?.pid])),
  };
  expect(before.analytics).toEqual(before.stores);
}, 240_000);

afterAll(async () => {
  process.stdout.write(`GH5 fuzz: ${cases} inputs (seed ${SEED}): ${JSON.stringify(tally)}\n`);
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/**
 * Sends one input and checks its answer: a success (status 200 with data and no errors, or SQL rows)
 * passes as it is; anything else must be a well-formed error answer. Throws with the input otherwise.
 */
async function expectWellFormed(
  kind: string,
  input: unknown,
  send: () => Promise<RawResponse>,
  options: { echoesSql?: boolean } = {},
): Promise<RawResponse> {
  const res = await send();
  cases += 1;
  const body = res.json;
  let problems: string[];
  const type = res.headers.get('content-type') ?? '';
  if (res.status === 200 && /text\/csv|parquet/.test(type)) {
    // An export that ran: a file, not JSON.
    problems = leakProblems(res.text, options);
    tally[`${kind}: exported`] = (tally[`${kind}: exported`] ?? 0) + 1;
  } else if (res.status === 200 && body && !Array.isArray(body) && body.errors === undefined) {
    problems = leakProblems(res.text, options);
    tally[`${kind}: answered`] = (tally[`${kind}: answered`] ?? 0) + 1;
  } else if (Array.isArray(body)) {
    problems = body.flatMap((item: unknown) =>
      (item as { errors?: unknown }).errors
        ? errorAnswerProblems({ ...res, json: item, text: JSON.stringify(item) }, options)
        : [],
    );
    tally[`${kind}: batch`] = (tally[`${kind}: batch`] ?? 0) + 1;
  } else {
    problems = errorAnswerProblems(res, options);
    const code = body?.errors?.[0]?.extensions?.code ?? `HTTP ${res.status}`;
    tally[`${kind}: ${code}`] = (tally[`${kind}: ${code}`] ?? 0) + 1;
    // Partial data is allowed only next to errors that say why.
    if (body?.data && res.status !== 200) problems.push(`data with HTTP ${res.status}`);
  }
  if (problems.length)
    throw new Error(
      `${kind} input ${JSON.stringify(input).slice(0, 500)} got a malformed answer: ${problems.join('; ')}`,
    );
  return res;
}

const fcOptions = (runs = RUNS) => ({ seed: SEED, numRuns: runs, endOnFailure: true });

// ---------------------------------------------------------------------------------------------------
// Generators

const VALID_QUERIES = [
  '{ unit(code: "304", asOf: "2025-01-01") { id name children { code name } } }',
  '{ units(parent: "31", level: DISTRICT, first: 5) { totalCount edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }',
  '{ aggregate(query: {indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"]}) { rows { unit { code name } period value target achievementPct } } }',
  '{ unit(id: "304@2000-01-01") { indicator(code: "EB_BUDGET_REV", period: "2025") { value target } partyFigures(period: "2025S1") { indicator { code } value } } }',
  'query Q($c: String!) { indicator(code: $c) { code nameEn rule numerator { code } } }',
  'fragment F on AdminUnit { code name } { unit(code: "31") { ...F parent { ...F } successors { share unit { ...F } } } }',
  // Writes whose every row is wrong three ways over, so that no small edit can make one valid.
  'mutation { party { recordObservations(input: [{indicator: "NO_SUCH", unit: "99999", period: "2025X9", value: -1}]) { ok errors { index field code } } } }',
  'mutation { economy { recordObservations(dryRun: true, input: [{indicator: "EB_BUDGET_REV", unit: "304", period: "2025S1", value: 1}]) { ok inserted } } }',
];

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '"',
  '$',
  ':',
  '!',
  '@',
  '...',
  ' ',
  '\n',
  '#',
  '\\',
  '\u0000',
  ',',
  '=',
  '|',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  '__schema',
  '__type',
  '__typename',
  'unit',
  'aggregate',
  'x',
  '1',
  '-1',
  '1e999',
  'null',
  'true',
  '"""',
  '\uD800',
  'Ngô',
  '😀',
];

/** A valid operation with a few random edits: characters deleted and tokens inserted. */
const mutatedText = (bases: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...bases),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 3 })), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([base, edits]) => {
      let text = base;
      for (const [at, del, ins] of edits) {
        const pos = at % (text.length + 1);
        text = text.slice(0, pos) + ins.join('') + text.slice(pos + del);
      }
      return text;
    });

const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 40 }),
);

const CODES = [
  '304',
  '305',
  '31',
  '11329',
  '01',
  '99999',
  '',
  ' 304',
  '304@2000-01-01',
  '304@2031-01-01',
  'null',
  '-1',
  '3'.repeat(300),
];
const INDICATORS = [
  'PB_NEW_MEMBERS',
  'EB_BUDGET_REV',
  'SS_POOR_RATE',
  'SS_JOBS_CREATED',
  'pb_new_members',
  'NO_SUCH',
  '',
  'PB_NEW_MEMBERS ',
  "'; DROP TABLE observation; --",
];
const PERIODS = [
  '2025',
  '2025S1',
  '2025S3',
  '2025Q3',
  '2025Q5',
  '202507',
  '202513',
  '2020-2025',
  '2025-2020',
  '0000',
  '99999',
  '',
  'S1',
  '2025s1',
];
const looseScalar = fc.oneof(
  fc.constantFrom(...CODES, ...INDICATORS, ...PERIODS),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

/** Mostly `typed` (well-typed values that reach the services' own checks), sometimes anything at all. */
const mostly = <T>(typed: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: typed as fc.Arbitrary<unknown>, weight: 15 },
    { arbitrary: looseScalar as fc.Arbitrary<unknown>, weight: 1 },
  );

/** An object with the given fields (each may be missing) and, now and then, one the schema does not know. */
const looseRecord = (fields: Record<string, fc.Arbitrary<unknown>>, required: string[]) =>
  fc
    .tuple(
      fc.oneof(
        { arbitrary: fc.record(fields, { requiredKeys: required as never[] }), weight: 10 },
        { arbitrary: fc.record(fields, { requiredKeys: [] }), weight: 1 },
      ),
      fc.option(looseScalar, { freq: 15 }),
    )
    .map(([r, extra]) => (extra === null ? r : { ...r, extra }));

/** Usually one of `valid`, sometimes one of `invalid`: each field is wrong on its own now and then. */
const pick = (valid: readonly string[], invalid: readonly string[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 8 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 });
const indicatorCode = pick(INDICATORS.slice(0, 4), INDICATORS.slice(4));
const unitCode = pick(CODES.slice(0, 5), CODES.slice(5));
const periodCode = pick(
  PERIODS.filter((p) => /^(\d{4}|\d{4}S[12]|\d{4}Q[1-4]|\d{4}(0[1-9]|1[0-2])|2020-2025)$/.test(p)),
  PERIODS.filter((p) => !/^(\d{4}|\d{4}S[12]|\d{4}Q[1-4]|\d{4}(0[1-9]|1[0-2])|2020-2025)$/.test(p)),
);

const aggregateQuery = looseRecord(
  {
    indicators: mostly(fc.array(indicatorCode, { minLength: 1, maxLength: 3 })),
    units: mostly(fc.array(unitCode, { minLength: 1, maxLength: 3 })),
    periods: mostly(fc.array(periodCode, { minLength: 1, maxLength: 3 })),
    from: mostly(periodCode),
    to: mostly(periodCode),
    grain: mostly(pick(['MONTH', 'QUARTER', 'SIX_MONTH', 'YEAR', 'TERM'], ['DECADE'])),
    level: mostly(pick(['PROVINCE', 'DISTRICT', 'COMMUNE'], ['VILLAGE'])),
    boundariesAsOf: mostly(
      pick(['2025-07-01', '1800-01-01', '9999-12-31', '2024-12-31'], ['2025-02-30', 'yesterday', '']),
    ),
    groupBy: mostly(fc.array(pick(['INDICATOR', 'UNIT', 'PERIOD', 'TERM'], ['NOTHING']), { maxLength: 3 })),
    totals: mostly(fc.boolean()),
  },
  ['indicators', 'units'],
);

const observationRow = looseRecord(
  {
    indicator: mostly(indicatorCode),
    unit: mostly(unitCode),
    period: mostly(periodCode),
    value: mostly(fc.oneof(fc.integer({ min: -1000, max: 1e6 }), fc.double({ noNaN: true }), fc.constant(null))),
    target: mostly(fc.oneof(fc.integer({ min: -1000, max: 1e6 }), fc.constant(null))),
  },
  ['indicator', 'unit', 'period'],
);

/** A row that fails validation however the rest of its batch looks: an all-or-nothing batch with it writes nothing. */
const POISON = { indicator: 'NO_SUCH_INDICATOR', unit: '99999', period: '2025X9', value: -1 };

// ---------------------------------------------------------------------------------------------------

describe('GH5 fuzz', () => {
  it('malformed GraphQL documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedText(VALID_QUERIES), anyText), async (query) => {
        await expectWellFormed('query', query, () => platform.post('/graphql', { query }));
      }),
      fcOptions(RUNS * 2),
    );
  });

  it('malformed variables for aggregate, unit lookups and writes', async () => {
    const ops = [
      [
        'query($q: AggregateQuery!) { aggregate(query: $q) { rows { unit { code } period value target samePeriodPct complete } } }',
        (v: unknown) => ({ q: v }),
        aggregateQuery,
      ],
      [
        'query($code: String, $id: ID, $asOf: Date) { unit(code: $code, id: $id, asOf: $asOf) { name } }',
        (v: unknown) => v,
        looseRecord(
          {
            code: mostly(fc.constantFrom(...CODES)),
            id: mostly(fc.constantFrom(...CODES)),
            asOf: mostly(fc.constantFrom('2025-07-01', '2025-02-30', '1800-01-01', '9999-12-31', '2025-7-1', '')),
          },
          [],
        ),
      ],
      [
        'query($first: Int, $after: String, $level: UnitLevel) { units(parent: "31", first: $first, after: $after, level: $level) { totalCount edges { node { code } } } }',
        (v: unknown) => v,
        looseRecord(
          {
            first: mostly(fc.integer({ min: -10, max: 100_000 })),
            after: mostly(fc.constantFrom('', 'bm9wZQ==', 'x', '0')),
            level: mostly(fc.constantFrom('PROVINCE', 'DISTRICT', 'COMMUNE', 'VILLAGE')),
          },
          [],
        ),
      ],
      [
        'mutation($input: [ObservationInput!]!) { social { recordObservations(input: $input) { ok inserted updated unchanged errors { index field message code } } } }',
        (v: unknown) => ({ input: [...(v as unknown[]), POISON] }),
        fc.array(observationRow, { maxLength: 6 }),
      ],
      [
        'mutation($input: [ObservationInput!]!) { party { recordObservations(dryRun: true, input: $input) { ok inserted errors { index field code } } } }',
        (v: unknown) => ({ input: v }),
        fc.oneof(fc.array(observationRow, { maxLength: 6 }), looseScalar, fc.jsonValue()),
      ],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: ops.length - 1 }).chain((i) => fc.tuple(fc.constant(i), ops[i]![2] as fc.Arbitrary<unknown>)),
        async ([i, value]) => {
          const [query, wrap] = ops[i]!;
          const variables = wrap(value);
          await expectWellFormed('variables', variables, () => platform.post('/graphql', { query, variables }));
        },
      ),
      fcOptions(RUNS * 2),
    );
  });

  it('malformed JSON bodies and request envelopes', async () => {
    const envelope = fc.record(
      {
        query: fc.oneof(fc.constantFrom(...VALID_QUERIES), looseScalar, fc.jsonValue()),
        variables: fc.oneof(fc.jsonValue(), looseScalar),
        operationName: looseScalar,
        extensions: fc.oneof(
          fc.jsonValue(),
          fc.record({ persistedQuery: fc.record({ version: looseScalar, sha256Hash: looseScalar }) }),
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      anyText,
      fc.json(),
      envelope.map((e) => JSON.stringify(e)),
      fc.array(envelope, { maxLength: 12 }).map((a) => JSON.stringify(a)),
    );
    const paths = ['/graphql', '/sql', '/export'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        body,
        fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', 'application/graphql'),
        async (path, text, type) => {
          await expectWellFormed(
            'body',
            { path, text, type },
            () => platform.post(path, text, platform.adminToken, { 'content-type': type }),
            { echoesSql: true },
          );
        },
      ),
      fcOptions(RUNS * 2),
    );
  });

  it('malformed Authorization headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.string({ maxLength: 100 }).map((s) => `Bearer ${s}`),
          fc.constantFrom('Bearer', 'Bearer ', 'bearer a.b.c', `Bearer ${'a'.repeat(5000)}`),
        ),
        async (authorization) => {
          // Header values must be Latin-1 without line breaks; fetch refuses anything else before sending.
          if (!/^[\x20-\x7e]*$/.test(authorization)) return;
          await expectWellFormed('authorization', authorization, () =>
            postTo(platform.gatewayUrl, { query: '{ terms { code } }' }, null, { authorization }),
          );
        },
      ),
      fcOptions(),
    );
  });

  it('malformed CSV ingest files, parsed by the CLI ingest parser and validated by each domain', async () => {
    const junk = fc.oneof(
      fc.constantFrom('', '"', '""', '"a,b"', '\n', '\r\n', '#', '\uFEFF', '\u0000', 'NaN', '1e309', '0x10', '1,5'),
      fc.string({ maxLength: 12 }),
    );
    const number = fc.oneof(
      fc.nat({ max: 100_000 }).map(String),
      fc.constantFrom('', '-1', '1.5', '.5', '+3', '1e3', '1 000'),
    );
    const column = (pool: readonly string[]) =>
      fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 15 }, { arbitrary: junk, weight: 1 });
    const goodRow = fc
      .tuple(
        column(INDICATORS),
        column(CODES),
        column(PERIODS),
        column([...'0123456789'].map((d) => `${d}${d}`)).chain((v) => fc.constantFrom(v, '')),
        fc.oneof({ arbitrary: number, weight: 8 }, { arbitrary: junk, weight: 1 }),
      )
      .map((cells) => cells.join(','));
    const oddRow = fc.array(junk, { maxLength: 7 }).map((cells) => cells.join(','));
    const csv = fc
      .tuple(
        fc.constantFrom(
          'indicator,unit,period,value,target',
          'indicator,unit,period,value,target',
          'indicator,unit,period,value',
          'unit,indicator,period,value,target,error',
          'indicator;unit;period;value',
          '',
          '\uFEFFindicator,unit,period,value,target',
        ),
        fc.array(fc.oneof({ arbitrary: goodRow, weight: 12 }, { arbitrary: oddRow, weight: 1 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom('\n', '\r\n'),
      )
      .map(([header, lines, eol]) => [header, ...lines].join(eol));
    await fc.assert(
      fc.asyncProperty(csv, async (text) => {
        const parsed = parseIngest(text, 'csv');
        const records = parsed.rows.flatMap((r) => (r.record ? [r.record] : []));
        const key = parsed.fileProblems.length
          ? 'csv: file refused by the parser'
          : records.length
            ? 'csv: rows sent'
            : 'csv: every row refused by the parser';
        tally[key] = (tally[key] ?? 0) + 1;
        for (const domain of DOMAINS) {
          const input = records.filter(
            (r) => (findIndicator(String(r.indicator))?.domain ?? 'PARTY').toLowerCase() === domain,
          );
          if (!input.length) continue;
          // Validated in full, written never: the rows of a random file may well be valid.
          await expectWellFormed('csv', text, () =>
            platform.post('/graphql', {
              query: `mutation($input: [ObservationInput!]!) { ${domain} { recordObservations(dryRun: true, input: $input) { ok inserted errors { index field code message } } } }`,
              variables: { input },
            }),
          );
        }
      }),
      fcOptions(),
    );
  });

  it('malformed CSV ingest files through the CLI itself: refused line by line, nothing written, no crash', async () => {
    const cli = join(dirname(require.resolve('@lgr/platform/package.json')), 'dist', 'cli', 'main.js');
    const token = await platform.token('editor', ['31'], { sub: 'gh5-fuzz-cli' });
    const files = fc.sample(
      fc
        .array(
          fc.tuple(
            fc.constantFrom(...INDICATORS),
            fc.constantFrom(...CODES),
            fc.constantFrom(...PERIODS),
            fc.oneof(fc.constantFrom('1', '-5', 'x', '', '1e309', '"2,5"'), fc.nat().map(String)),
          ),
          { minLength: 1, maxLength: 20 },
        )
        .map((rows) =>
          ['indicator,unit,period,value,target', ...rows.map((r) => r.join(',')), 'NO_SUCH,99999,2025X9,-1,'].join(
            '\n',
          ),
        ),
      { seed: SEED, numRuns: 6 },
    );
    for (const [i, text] of files.entries()) {
      const file = join(dir, `fuzz-${i}.csv`);
      writeFileSync(file, text);
      const run = await runNode([cli, 'ingest', file, '--gateway', platform.gatewayUrl, '--token', token]);
      cases += 1;
      expect({ file: text, status: run.status }).toEqual({ file: text, status: expect.any(Number) });
      expect(run.status).not.toBe(0);
      expect(`${run.stdout}\n${run.stderr}`).toMatch(/nothing written/);
      expect(leakProblems(`${run.stdout}\n${run.stderr}`).filter((p) => !p.includes('a file path'))).toEqual([]);
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    tally['cli: refused'] = files.length;
  });

  it("malformed and hostile analysts' SQL", async () => {
    const HOSTILE = [
      'DROP TABLE observations',
      'DELETE FROM observations',
      'INSERT INTO observations VALUES (1)',
      'UPDATE observations SET value = 0',
      'CREATE TABLE x AS SELECT 1',
      "COPY observations TO '/tmp/lgr-fuzz.csv'",
      "ATTACH '/tmp/lgr-fuzz.db' AS x",
      "SELECT * FROM read_csv_auto('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'",
      "SELECT getenv('HOME')",
      'PRAGMA database_list',
      "SET memory_limit = '100GB'",
      'INSTALL httpfs',
      'LOAD httpfs',
      'SELECT 1; DROP TABLE observations',
      'SELECT * FROM lgr_data.facts',
      'SELECT * FROM main.fact',
      'SELECT * FROM duckdb_settings()',
      'SELECT * FROM information_schema.tables',
      'CALL pragma_version()',
      "EXPORT DATABASE '/tmp/lgr-fuzz'",
      "SELECT current_setting('threads')",
      '',
      ' ',
      '\u0000',
      'select',
      "select '",
      'select 1 /*',
      `select ${'1 + '.repeat(20_000)}1`,
      "SELECT * FROM observations WHERE unit_id = '' OR 1=1 --",
    ];
    const VALID_SQL = [
      'select indicator, count(*) as n, sum(value) as total from observations group by indicator order by indicator',
      "select u.code, t.target from targets t join units u on u.id = t.unit_id where t.period = '2025' limit 5",
      "select p.code, p.grain from periods p where p.year = 2025 and p.grain = 'QUARTER'",
      'with x as (select unit_id, max(value) as m from observations group by unit_id) select count(*) from x',
    ];
    // Queries that only run too long are interrupted: each is sent once, as each costs the whole time limit.
    for (const text of [
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
      'SELECT sum(a.value * b.value) FROM observations a, observations b, observations c',
    ]) {
      const res = await expectWellFormed('sql', text, () => platform.post('/sql', { sql: text }), { echoesSql: true });
      expect(res.json.errors[0].extensions.code).toBe('TIMEOUT');
    }
    const sql = fc.oneof(fc.constantFrom(...HOSTILE), mutatedText(VALID_SQL), anyText);
    await fc.assert(
      fc.asyncProperty(sql, fc.constantFrom('/sql', '/export'), async (text, path) => {
        await expectWellFormed(
          'sql',
          text,
          () => platform.post(path, path === '/sql' ? { sql: text } : { sql: text, format: 'csv' }),
          { echoesSql: true },
        );
      }),
      fcOptions(RUNS * 2),
    );
  });

  it('every process is still up and the stored figures are exactly what they were', async () => {
    for (const s of SERVICES) {
      expect({ service: s, pid: platform.process(s)?.pid }).toEqual({ service: s, pid: before.pids[s] });
      if (s !== 'gateway') expect((await fetch(`${platform.serviceUrl(s)}/health`)).status).toBe(200);
    }
    expect(await feedSeqs()).toEqual(before.seqs);
    expect(domainStoresSummary(platform.dataDir)).toEqual(before.stores);
    expect(await analyticsSummary()).toEqual(before.analytics);
  });
});

/**
 * Runs a Node.js program without blocking this process: a synchronous spawn would stop the event
 * loop, so the keep-alive sockets the gateway closes meanwhile would be reused for the next request.
 */
function runNode(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}
