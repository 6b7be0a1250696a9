import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPlatform, TestPlatform } from '../harness';
import { recordThroughGateway } from '../ingest';
import { ANALYTICS_DIGEST_SQL, DOMAINS, domainStoresSummary, FactsSummary, readAnalyticsCopy } from '../stores';
import { eventually } from '../support';
// libsql has the better-sqlite3 API and no type declarations of its own.
const Database = require('libsql') as new (
  path: string,
  options?: { readonly?: boolean },
) => {
  prepare(sql: string): { all(...params: unknown[]): Record<string, unknown>[] };
  close(): void;
};

/**
 * Upgrading without losing data: the platform starts on a DATA_DIR written by the release before store
 * migrations (test/fixtures/previous-release: demo data, analytics caught up, and a column and a table
 * an operator added to party.sqlite). Everything the fixture holds is read before the start and
 * compared after it: every figure, record, extra column and extra table is still there, each store
 * records its version, and analytics answers with exactly the stores' figures.
 */

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'previous-release', 'data.tar.xz');
const STORES = ['reference', 'party', 'economy', 'social'] as const;

/** What the upgrade must keep, read straight from the SQLite files. */
interface Kept {
  figures: FactsSummary;
  tables: Record<string, number>;
  extraColumns: { reviewedBy: Record<string, unknown>[]; sourceDocuments: Record<string, unknown>[] };
  operatorNotes: Record<string, unknown>[];
}

const COUNTED: Record<(typeof STORES)[number], string[]> = {
  reference: ['unit_version', 'lineage_link', 'reference_meta'],
  party: ['observation', 'observation_feed', 'party_organisation', 'party_congress', 'party_resolution_target'],
  economy: ['observation', 'observation_feed', 'budget_estimate'],
  social: ['observation', 'observation_feed', 'recruitment_quota'],
};

function query(dataDir: string, store: string, sql: string): Record<string, unknown>[] {
  const db = new Database(join(dataDir, `${store}.sqlite`), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

function readKept(dataDir: string): Kept {
  const tables: Record<string, number> = {};
  for (const store of STORES) {
    for (const table of COUNTED[store])
      tables[`${store}.${table}`] = Number(query(dataDir, store, `select count(*) as n from ${table}`)[0]!.n);
  }
  return {
    figures: domainStoresSummary(dataDir),
    tables,
    extraColumns: {
      reviewedBy: query(dataDir, 'party', 'select id, reviewed_by from party_organisation order by id'),
      sourceDocuments: query(
        dataDir,
        'party',
        'select id, source_document from observation where source_document is not null order by id',
      ),
    },
    operatorNotes: query(dataDir, 'party', 'select id, note from operator_notes order by id'),
  };
}

let platform: TestPlatform;
let before: Kept;
let analyticsBefore: { cursors: Record<string, number>; facts: number };
const report: string[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lgr-upgrade-'));
  execFileSync('tar', ['-xJf', FIXTURE, '-C', dataDir]);
  before = readKept(dataDir);
  const copy = await readAnalyticsCopy(dataDir);
  analyticsBefore = { cursors: copy.cursors, facts: Object.values(copy.factsBySource).flat().length };
  // The fixture must hold something worth keeping, or the test proves nothing.
  expect(before.figures.values).toBeGreaterThan(1000);
  expect(before.extraColumns.reviewedBy.length).toBeGreaterThan(0);
  expect(before.extraColumns.sourceDocuments.length).toBeGreaterThan(0);
  expect(analyticsBefore.facts).toBeGreaterThan(1000);
  for (const store of STORES)
    expect(() => query(dataDir, store, 'select name from mikro_orm_migrations')).toThrow(/no such table/);
  platform = await startTestPlatform({ dataDir });
}, 300_000);

afterAll(async () => {
  if (report.length)
    process.stdout.write(`Upgrade from the previous release:\n${report.map((l) => `  ${l}`).join('\n')}\n`);
  await platform?.stop();
}, 60_000);

async function analyticsSummary(): Promise<FactsSummary> {
  const run = async (sql: string) => {
    const res = await platform.post('/sql', { sql });
    expect(res.status).toBe(200);
    return res.json.rows[0] as [number, string];
  };
  const [values, valuesDigest] = await run(ANALYTICS_DIGEST_SQL('observations', 'value'));
  const [targets, targetsDigest] = await run(ANALYTICS_DIGEST_SQL('targets', 'target'));
  return { values, valuesDigest, targets, targetsDigest };
}

async function feedEnds(): Promise<Record<string, number>> {
  const ends: Record<string, number> = {};
  for (const d of DOMAINS) ends[d] = ((await (await fetch(`${platform.serviceUrl(d)}/health`)).json()) as any).lastSeq;
  return ends;
}

async function analyticsCaughtUp(ends: Record<string, number>): Promise<void> {
  await eventually('analytics to apply every feed to its end', async () => {
    const h = (await (await fetch(`${platform.serviceUrl('analytics')}/health`)).json()) as any;
    return (h.sources as { name: string; lastSeq: number }[]).every((s) => s.lastSeq >= ends[s.name]!)
      ? true
      : undefined;
  });
}

it('keeps every figure, record, extra column and extra table, and records the store version', () => {
  const after = readKept(platform.dataDir);
  report.push(
    `figures: ${before.figures.values} values, ${before.figures.targets} targets before; ${after.figures.values}, ${after.figures.targets} after`,
  );
  report.push(
    `rows before -> after: ${Object.entries(before.tables)
      .map(([t, n]) => `${t} ${n} -> ${after.tables[t]}`)
      .join(', ')}`,
  );
  report.push(
    `party extras: ${after.extraColumns.reviewedBy.length} reviewed_by, ${after.extraColumns.sourceDocuments.length} source_document, ${after.operatorNotes.length} operator_notes rows`,
  );
  expect(after).toEqual(before);
  // The reference store is at its first migration; the domain stores have their staging tables too.
  for (const store of STORES) {
    expect(query(platform.dataDir, store, 'select name from mikro_orm_migrations order by id')).toEqual(
      store === 'reference'
        ? [{ name: '0001-initial' }]
        : [{ name: '0001-initial' }, { name: '0002-observation-stage' }],
    );
  }
});

it('answers with the figures of the previous release: analytics holds exactly what the stores hold', async () => {
  await analyticsCaughtUp(await feedEnds());
  const analytics = await analyticsSummary();
  report.push(
    `analytics: ${analyticsBefore.facts} facts before (cursors ${JSON.stringify(analyticsBefore.cursors)}); ${analytics.values} values, ${analytics.targets} targets after`,
  );
  expect(analytics).toEqual(before.figures);
  const answer = await platform.gql(
    `{ aggregate(query: { indicators: ["PB_NEW_MEMBERS"], units: ["304"], periods: ["2025S1"] }) { rows { value target samePeriodValue } }
       unit(id: "304@2000-01-01") { partyFigures { value } } }`,
  );
  expect(answer.errors).toBeUndefined();
  // The seed report's figures for Ngô Quyền, 2025S1: 254 new members against 271.
  expect(answer.data.aggregate.rows[0]).toMatchObject({ value: 254, target: 271 });
  const stored = query(
    platform.dataDir,
    'party',
    "select count(*) as n from observation where unit_id = '304@2000-01-01'",
  )[0]!.n;
  expect(answer.data.unit.partyFigures).toHaveLength(Number(stored));
});

it('takes new writes on the upgraded store, extra column and all, and analytics follows them', async () => {
  const written = await recordThroughGateway(platform, platform.adminToken, 'party', [
    { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '202611', value: 7 },
  ]);
  expect(written).toEqual({ ok: true, inserted: 1 });
  await analyticsCaughtUp(await feedEnds());
  expect(await analyticsSummary()).toEqual(domainStoresSummary(platform.dataDir));
  expect(query(platform.dataDir, 'party', "select source_document from observation where period = '202611'")).toEqual([
    { source_document: null },
  ]);
  expect(readKept(platform.dataDir).extraColumns).toEqual(before.extraColumns);
});
