import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startTestPlatform, TestPlatform } from '../harness';
import { recordThroughGateway } from '../ingest';

/**
 * The README's examples are what the platform answers: every GraphQL block followed by a JSON block
 * is sent to a fresh platform on the demo data and its answer must equal the JSON, and the SQL
 * example's rows are what `POST /sql` returns. Rows the README tells the reader to record first are
 * recorded first.
 */

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

interface Block {
  readonly lang: string;
  readonly body: string;
}

const blocks: Block[] = [...README.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
const examples = blocks.flatMap((block, i) => {
  const next = blocks[i + 1];
  return block.lang === 'graphql' && next?.lang === 'json' ? [{ query: block.body, answer: next.body }] : [];
});

/**
 * `curl` examples: a shell block that mints a token with `npm run -s token -- --role R [--units U]`
 * and posts `-d '<json>'` to a path, with the answer in the next JSON block or in a `# {...}` line.
 */
const curlExamples = blocks.flatMap((block, i) => {
  const curl = /curl -s \S*?(\/\w+) [\s\S]*?-d '(\{.*\})'(?:\n# (\{.*\}))?/.exec(block.body);
  const tokenLine = /--role (\w+)(?: --units ([\d,]+))?/.exec(block.body);
  if (block.lang !== 'sh' || !curl || !tokenLine) return [];
  const printed = curl[3] ?? (blocks[i + 1]?.lang === 'json' ? blocks[i + 1]!.body : undefined);
  if (!printed) return [];
  return [
    {
      path: curl[1]!,
      body: JSON.parse(curl[2]!.replaceAll(`'\\''`, `'`)),
      role: tokenLine[1]!,
      units: tokenLine[2]?.split(','),
      printed,
    },
  ];
});

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
  // "after recording inspections for two wards' half-year and one ward's first quarter (`PB_INSPECTIONS,11329,2025S1,4` / ...)"
  const rows = [...README.matchAll(/`(PB_INSPECTIONS),(\d+),(\w+),(\d+)`/g)].map((m) => ({
    indicator: m[1]!,
    unit: m[2]!,
    period: m[3]!,
    value: Number(m[4]),
  }));
  expect(rows).toHaveLength(3);
  await recordThroughGateway(platform, platform.adminToken, 'party', rows);
}, 480_000);

afterAll(() => platform?.stop(), 60_000);

it('the README has GraphQL and curl examples with their answers', () => {
  expect(examples.length).toBeGreaterThanOrEqual(4);
  expect(curlExamples.map((e) => e.path).sort()).toEqual(['/graphql', '/sql']);
});

it.each(examples.map((e) => [e.query.replace(/\s+/g, ' ').slice(0, 90), e] as const))(
  'README example %s answers what the README prints',
  async (_, { query, answer }) => {
    const expected = JSON.parse(answer);
    // Analytics applies the change feed in the background: the rows recorded above may take a moment.
    let actual: unknown;
    for (let attempt = 0; attempt < 100; attempt++) {
      const { data, errors } = await platform.gql(query, {}, platform.adminToken);
      actual = errors ? { data, errors } : { data };
      if (isDeepStrictEqual(actual, expected)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(actual).toEqual(expected);
  },
  120_000,
);

it.each(curlExamples.map((e) => [e.path, e] as const))(
  'README curl example to %s answers what the README prints',
  async (_, { path, body, role, units, printed }) => {
    const token = await platform.token(role, units);
    const res = await platform.post(path, body, token);
    expect(res.status).toBe(200);
    if (path === '/graphql') {
      expect(res.json).toEqual(JSON.parse(printed));
      return;
    }
    // The SQL answer is printed with its columns elided ("..."): compare the rows and the counts.
    expect(res.json.rows).toEqual(JSON.parse(/"rows":(\[.*?\]\])/.exec(printed)![1]!));
    expect(printed).toContain(`"rowCount":${res.json.rowCount},"truncated":${res.json.truncated}`);
    expect(printed).toContain(JSON.stringify(res.json.columns[0]));
  },
);
