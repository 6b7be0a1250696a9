import { staticCatalog } from '@lgr/kit';
import type { Identity } from '@lgr/kit';
import { Domain, DOMAINS, findIndicator, Indicator, indicatorsOfDomain, UnitCatalog } from '@lgr/schema';
import { readFileSync } from 'node:fs';
// The package itself (its dist), so that the suite and the service under test share one copy of it.
import {
  commitStage,
  domainPrefix,
  MAX_OPEN_RUNS,
  ownerOf,
  parseIngest,
  REPORT_FILE,
  reportRecords,
  SYNTHETIC_LABEL,
} from '@lgr/observations';
import type { DomainServiceConfig, RunningDomainService } from '@lgr/observations';
import type { CatalogSource } from '@lgr/kit';
import {
  ADMIN,
  analystOf,
  askSubgraph,
  callInternal,
  createTestStore,
  editorOf,
  GraphQLAnswer,
  StatementCounter,
  TEST_INTERNAL_SECRET,
  TestStore,
  viewerOf,
} from './helpers';

/** How a suite starts the service under test: the service's own `start`. */
export type StartService = (
  options: DomainServiceConfig & { catalog?: CatalogSource; onQuery?: (sql: string) => void },
) => Promise<RunningDomainService>;

export interface DomainSuiteOptions {
  readonly domain: Domain;
  readonly start: StartService;
  /** The real unit catalogue (read once per test process). */
  readonly catalog: () => UnitCatalog;
  /**
   * The domain records' fields on AdminUnit, selected next to the figures in the DataLoader test,
   * e.g. `partyOrganisations { name }`; each must cost one statement however many units are asked for.
   */
  readonly recordFields?: string;
  /** How many kinds of records `recordFields` asks for (one statement each). */
  readonly recordKinds?: number;
}

interface Payload {
  ok: boolean;
  inserted: number;
  updated: number;
  unchanged: number;
  errors: { index: number; field: string; message: string; code: string }[];
}

interface Row {
  indicator: string;
  unit: string;
  period: string;
  value?: number | null;
  target?: number | null;
}

/** Indicators of a domain that the generic tests need. */
function pick(domain: Domain): {
  flow: Indicator;
  plain: Indicator;
  ratio: Indicator;
  foreign: Indicator;
  term?: Indicator;
} {
  const own = indicatorsOfDomain(domain);
  const flow = own.find((i) => i.rule === 'FLOW' && i.targetGrain === 'YEAR')!;
  const plain = own.find((i) => i.rule !== 'RATIO' && !i.targetGrain)!;
  const ratio = own.find((i) => i.rule === 'RATIO' && i.targetGrain === 'YEAR')!;
  const foreign = indicatorsOfDomain(DOMAINS.find((d) => d !== domain)!)[0]!;
  const term = own.find((i) => i.targetGrain === 'TERM');
  return { flow, plain, ratio, foreign, ...(term ? { term } : {}) };
}

/**
 * The tests every domain subgraph must pass, on SQLite and on PostgreSQL: validation of every rule
 * with the exact row and field, all-or-nothing writes, idempotent upserts that merge value and target,
 * the change feed and its paging, scope and roles, concurrent batches, and DataLoader batching.
 */
export function domainSubgraphSuite(options: DomainSuiteOptions): void {
  const { domain } = options;
  const prefix = domainPrefix(domain);
  const ind = pick(domain);
  const RECORD = `mutation($input: [ObservationInput!]!, $dryRun: Boolean) { ${prefix} { recordObservations(input: $input, dryRun: $dryRun) { ok inserted updated unchanged errors { index field message code } } } }`;
  const FIGURES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id ${prefix}Figures { indicator { code } unitId period value target updatedAt } } } }`;

  describe.each(['sqlite', 'postgresql'] as const)(`${prefix} subgraph on %s`, (kind) => {
    let store: TestStore;
    let service: RunningDomainService;
    let catalog: UnitCatalog;
    const counter = new StatementCounter();
    let base: string;

    beforeAll(async () => {
      catalog = options.catalog();
      store = await createTestStore(kind, `${prefix}_suite`);
      if (!store.available) return;
      service = await options.start({
        port: 0,
        dataDir: store.dataDir,
        databaseUrl: store.databaseUrl,
        internalSecret: TEST_INTERNAL_SECRET,
        catalog: staticCatalog(catalog),
        demoData: false,
        logLevel: 'silent',
        onQuery: counter.onQuery,
      });
      base = `http://127.0.0.1:${service.port}`;
    });

    afterAll(async () => {
      await service?.close();
      await store?.dispose();
    });

    /** Runs a test only when the store is there (PostgreSQL may be missing outside CI). */
    const test = (name: string, fn: () => Promise<void>): void => {
      it(name, async () => {
        if (!store.available) return;
        await fn();
      });
    };

    const record = async (
      input: Row[],
      identity: Identity = ADMIN,
      dryRun = false,
    ): Promise<GraphQLAnswer<Record<string, { recordObservations: Payload }>>> =>
      askSubgraph(service.url, RECORD, { input, dryRun }, identity);
    const payload = async (input: Row[], identity: Identity = ADMIN, dryRun = false): Promise<Payload> => {
      const answer = await record(input, identity, dryRun);
      expect(answer.errors).toBeUndefined();
      return answer.data![prefix]!.recordObservations;
    };
    const figures = async (unitIds: string[], identity: Identity = ADMIN) =>
      askSubgraph(service.url, FIGURES, { reps: unitIds.map((id) => ({ __typename: 'AdminUnit', id })) }, identity);
    const feedAfter = async (after: number, limit = 10_000) =>
      (await callInternal(base, `/internal/feed?after=${after}&limit=${limit}`)).body;
    const lastSeq = async (): Promise<number> =>
      (
        await service.orm.em.fork().getConnection().execute('select coalesce(max(seq), 0) as s from observation_feed')
      )[0].s * 1;
    const wardsOf = (code: string) => catalog.children(catalog.resolve(code, '2025-06-30')!.id);

    test('validates every row and reports each problem with its row index, field and code', async () => {
      const rows: Row[] = [
        { indicator: 'NO_SUCH_INDICATOR', unit: '304', period: '2025S1', value: 1 },
        { indicator: ind.foreign.code, unit: '304', period: '2025S1', value: 1 },
        { indicator: ind.ratio.code, unit: '304', period: '2025', value: 50 },
        { indicator: ind.flow.code, unit: '99999', period: '2025S1', value: 1 },
        { indicator: ind.flow.code, unit: '304', period: '2025S2', value: 1 },
        { indicator: ind.flow.code, unit: '11329@2025-07-01', period: '2024S1', value: 1 },
        { indicator: ind.flow.code, unit: '304', period: '2025S3', value: 1 },
        { indicator: ind.flow.code, unit: '304', period: '2025S1', value: -5 },
        { indicator: ind.flow.code, unit: '304', period: '2025S1' },
        { indicator: ind.plain.code, unit: '304', period: '2025', target: 10 },
        { indicator: ind.flow.code, unit: '304', period: '2025S1', target: 10 },
        { indicator: ind.flow.code, unit: '11335', period: '2024S2', value: 3 },
        { indicator: ind.flow.code, unit: '11335@2000-01-01', period: '2024S2', value: 4 },
        { indicator: ind.flow.code, unit: '304', period: '2026Q5', value: 1, target: -1 },
        { indicator: ind.flow.code, unit: '304', period: '2025S1', value: 1 },
        { indicator: ind.ratio.code, unit: '304', period: '2025', target: 95 },
        { indicator: ind.flow.code, unit: '304@2000-01-01', period: '2025', target: 100 },
        ...(ind.term ? [{ indicator: ind.term.code, unit: '304', period: '2025', target: 3 }] : []),
      ];
      const before = await lastSeq();
      const result = await payload(rows);
      const got = result.errors.map((e) => `${e.index}:${e.field}:${e.code}`).sort();
      const expected = [
        '0:indicator:UNKNOWN_INDICATOR',
        '1:indicator:BAD_USER_INPUT',
        '2:value:BAD_USER_INPUT',
        '3:unit:UNIT_NOT_FOUND',
        '4:unit:UNIT_NOT_FOUND',
        '5:unit:UNIT_NOT_FOUND',
        '6:period:INVALID_PERIOD',
        '7:value:BAD_USER_INPUT',
        '8:value:BAD_USER_INPUT',
        '9:target:BAD_USER_INPUT',
        '10:target:BAD_USER_INPUT',
        '12:row:BAD_USER_INPUT',
        '13:period:INVALID_PERIOD',
        '13:target:BAD_USER_INPUT',
        ...(ind.term ? ['17:target:BAD_USER_INPUT'] : []),
      ].sort();
      expect(got).toEqual(expected);
      expect(result).toMatchObject({ ok: false, inserted: 0, updated: 0, unchanged: 0 });
      const message = (index: number, field: string) =>
        result.errors.find((e) => e.index === index && e.field === field)!.message;
      expect(message(0, 'indicator')).toContain('NO_SUCH_INDICATOR');
      expect(message(1, 'indicator')).toContain(ind.foreign.domain);
      expect(message(2, 'value')).toContain(ind.ratio.numerator!);
      expect(message(2, 'value')).toContain(ind.ratio.denominator!);
      expect(message(3, 'unit')).toContain('99999');
      expect(message(4, 'unit')).toMatch(/304.*2025S2/);
      expect(message(5, 'unit')).toMatch(/11329@2025-07-01.*2024S1/);
      expect(message(6, 'period')).toContain('2025S3');
      expect(message(7, 'value')).toContain('-5');
      expect(message(12, 'row')).toContain('row 11');
      // Nothing of the valid rows was written, and the feed did not move.
      expect(await lastSeq()).toBe(before);
      const answer = await figures(['304@2000-01-01', '11335@2000-01-01']);
      expect(answer.data!._entities.map((e: any) => e[`${prefix}Figures`])).toEqual([[], []]);
    });

    test('resolves a unit code to the version valid at the period end, else the latest valid during it', async () => {
      const result = await payload([
        { indicator: ind.flow.code, unit: '11329', period: '2025S2', value: 7 },
        { indicator: ind.flow.code, unit: '11329', period: '2025S1', value: 8 },
        { indicator: ind.flow.code, unit: '304', period: '2025', target: 9 },
      ]);
      expect(result).toMatchObject({ ok: true, inserted: 3, errors: [] });
      const answer = await figures(['11329@2025-07-01', '11329@2000-01-01', '304@2000-01-01']);
      const [newWard, oldWard, district] = answer.data!._entities.map((e: any) => e[`${prefix}Figures`]);
      expect(newWard).toMatchObject([
        { indicator: { code: ind.flow.code }, unitId: '11329@2025-07-01', period: '2025S2', value: 7, target: null },
      ]);
      expect(oldWard).toMatchObject([{ unitId: '11329@2000-01-01', period: '2025S1', value: 8 }]);
      expect(district).toMatchObject([{ unitId: '304@2000-01-01', period: '2025', value: null, target: 9 }]);
    });

    test('writes all rows or none: one bad row leaves every answer and the feed exactly as they were', async () => {
      const wards = wardsOf('304')
        .slice(0, 3)
        .map((u) => u.code);
      await payload(
        wards.map((code, i) => ({ indicator: ind.flow.code, unit: code, period: '2024S1', value: 10 + i })),
      );
      const ids = wards.map((code) => catalog.resolve(code, '2024-06-30')!.id);
      const answerBefore = JSON.stringify(await figures(ids));
      const feedBefore = JSON.stringify(await feedAfter(0));
      const changed = wards.map((code, i) => ({
        indicator: ind.flow.code,
        unit: code,
        period: '2024S1',
        value: 100 + i,
      }));
      const result = await payload([
        ...changed,
        { indicator: ind.flow.code, unit: wards[0]!, period: '2024S3', value: 1 },
      ]);
      expect(result.ok).toBe(false);
      expect(result.errors).toEqual([expect.objectContaining({ index: 3, field: 'period', code: 'INVALID_PERIOD' })]);
      expect(JSON.stringify(await figures(ids))).toBe(answerBefore);
      expect(JSON.stringify(await feedAfter(0))).toBe(feedBefore);
      // A dry run of the valid change reports what it would do and writes nothing either.
      expect(await payload(changed, ADMIN, true)).toEqual({
        ok: true,
        inserted: 0,
        updated: 3,
        unchanged: 0,
        errors: [],
      });
      expect(JSON.stringify(await figures(ids))).toBe(answerBefore);
      expect(JSON.stringify(await feedAfter(0))).toBe(feedBefore);
    });

    test('is idempotent and merges value and target; every change appends its full new state to the feed', async () => {
      const unit = wardsOf('304')[3]!;
      const key = { indicator: ind.flow.code, unit: unit.code, period: '2024' };
      const start = await lastSeq();
      expect(
        await payload([
          { ...key, value: 40 },
          { ...key, period: '2024S1', value: 18 },
        ]),
      ).toMatchObject({ ok: true, inserted: 2, updated: 0, unchanged: 0 });
      expect(await lastSeq()).toBe(start + 2);
      // The same batch again changes nothing and appends nothing.
      expect(
        await payload([
          { ...key, value: 40 },
          { ...key, period: '2024S1', value: 18 },
        ]),
      ).toMatchObject({ ok: true, inserted: 0, updated: 0, unchanged: 2 });
      expect(await lastSeq()).toBe(start + 2);
      // A target alone keeps the stored value; a value alone keeps the stored target.
      expect(await payload([{ ...key, target: 45 }])).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
      expect(await payload([{ ...key, value: 41 }])).toMatchObject({ updated: 1 });
      expect(
        await payload([
          { ...key, target: 45 },
          { ...key, period: '2024S1', value: 18 },
        ]),
      ).toMatchObject({ updated: 0, unchanged: 2 });
      const stored = (await figures([unit.id])).data!._entities[0][`${prefix}Figures`].find(
        (f: any) => f.period === '2024',
      );
      expect(stored).toMatchObject({ value: 41, target: 45 });
      const feed = await feedAfter(start);
      expect(feed.changes.map((c: any) => [c.period, c.value, c.target])).toEqual([
        ['2024', 40, null],
        ['2024S1', 18, null],
        ['2024', 40, 45],
        ['2024', 41, 45],
      ]);
      expect(feed.changes[3]).toMatchObject({
        indicator: ind.flow.code,
        unitId: unit.id,
        period: '2024',
        value: 41,
        target: 45,
        updatedAt: stored.updatedAt,
      });
    });

    test('pages through the feed from a cursor; the feed is for services only', async () => {
      const start = await lastSeq();
      const wards = wardsOf('305').slice(0, 5);
      await payload(wards.map((w, i) => ({ indicator: ind.plain.code, unit: w.code, period: '2023S2', value: i })));
      const seen: any[] = [];
      let after = start;
      let pages = 0;
      for (;;) {
        const page = await feedAfter(after, 2);
        pages++;
        expect(page.source).toBe(prefix);
        seen.push(...page.changes);
        if (page.changes.length) expect(page.lastSeq).toBe(page.changes[page.changes.length - 1].seq);
        else expect(page.lastSeq).toBe(after);
        after = page.lastSeq;
        if (!page.hasMore) break;
      }
      expect(pages).toBe(3);
      expect(seen.map((c) => c.unitId).sort()).toEqual(wards.map((w) => w.id).sort());
      seen.forEach((c, i) => i && expect(c.seq).toBeGreaterThan(seen[i - 1].seq));
      expect(await feedAfter(after, 2)).toEqual({ source: prefix, changes: [], lastSeq: after, hasMore: false });
      const asAdmin = await callInternal(base, '/internal/feed?after=0', { identity: ADMIN });
      expect(asAdmin.status).toBe(403);
      expect(asAdmin.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const bad = await callInternal(base, '/internal/feed?after=-1');
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].message).toContain('after');
    });

    test("writes need the editor or admin role and every unit inside the caller's units", async () => {
      const own = wardsOf('304')[4]!;
      const other = wardsOf('305')[0]!;
      const rows = [
        { indicator: ind.plain.code, unit: own.code, period: '2022S1', value: 5 },
        { indicator: ind.plain.code, unit: other.code, period: '2022S1', value: 6 },
      ];
      const editor = await payload(rows, editorOf('304'));
      expect(editor.ok).toBe(false);
      expect(editor.errors).toEqual([expect.objectContaining({ index: 1, field: 'unit', code: 'FORBIDDEN' })]);
      expect(await payload(rows.slice(0, 1), editorOf('304'))).toMatchObject({ ok: true, inserted: 1 });
      for (const identity of [viewerOf('304'), analystOf('304')]) {
        const answer = await record(rows.slice(0, 1), identity);
        expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(answer.data?.[prefix]?.recordObservations ?? null).toBeNull();
        const dry = await record(rows.slice(0, 1), identity, true);
        expect(dry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      // Reading: a viewer of 304 sees 304's wards, and gets null with FORBIDDEN for 305's.
      const read = await figures([own.id, other.id], viewerOf('304'));
      expect(read.data!._entities[0][`${prefix}Figures`]).toHaveLength(1);
      expect(read.data!._entities[1][`${prefix}Figures`]).toBeNull();
      expect(read.errors).toEqual([
        expect.objectContaining({
          path: ['_entities', 1, `${prefix}Figures`],
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
        }),
      ]);
      const empty = await figures([wardsOf('305')[1]!.id], viewerOf('304'));
      expect(empty.errors![0]!.message).toBe(read.errors![0]!.message);
    });

    test('recordObservationColumns takes the rows as columns, with the same checks, writes and answers', async () => {
      const COLUMNS = `mutation($columns: ObservationColumns!, $dryRun: Boolean) { ${prefix} { recordObservationColumns(columns: $columns, dryRun: $dryRun) { ok inserted updated unchanged errors { index field message code } } } }`;
      const send = (columns: unknown, identity: Identity = ADMIN, dryRun = false) =>
        askSubgraph<Record<string, { recordObservationColumns: Payload }>>(
          service.url,
          COLUMNS,
          { columns, dryRun },
          identity,
        );
      const wards = wardsOf('304')
        .slice(5, 8)
        .map((u) => u.code);
      const columns = {
        indicator: wards.map(() => ind.flow.code),
        unit: wards,
        period: wards.map(() => '2021S2'),
        value: wards.map((_, i) => 40 + i),
      };
      const seq = await lastSeq();
      const dry = await send(columns, ADMIN, true);
      expect(dry.data![prefix]!.recordObservationColumns).toEqual({
        ok: true,
        inserted: 3,
        updated: 0,
        unchanged: 0,
        errors: [],
      });
      expect(await lastSeq()).toBe(seq);
      expect((await send(columns)).data![prefix]!.recordObservationColumns).toMatchObject({ ok: true, inserted: 3 });
      expect(await lastSeq()).toBe(seq + 3);
      // The same batch again changes nothing; one bad row refuses the batch, naming its row and field.
      expect((await send(columns)).data![prefix]!.recordObservationColumns).toMatchObject({ ok: true, unchanged: 3 });
      const bad = await send({ ...columns, period: ['2021S2', '2021S3', '2021S2'], value: [1, 2, 3] });
      expect(bad.data![prefix]!.recordObservationColumns).toMatchObject({
        ok: false,
        errors: [expect.objectContaining({ index: 1, field: 'period', code: 'INVALID_PERIOD' })],
      });
      expect(await lastSeq()).toBe(seq + 3);
      // Columns that are not columns of rows are refused whole, naming the row and column.
      const malformed = await send({ ...columns, value: [1, '2', 3] });
      expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(malformed.errors?.[0]?.message).toMatch(/row 1: value/);
      const short = await send({ ...columns, unit: wards.slice(0, 2) });
      expect(short.errors?.[0]?.message).toMatch(/row 2: unit: expected 3 cells as in indicator, got 2/);
      // A caller who may not write is refused before the columns are looked at.
      const viewer = await send({ nonsense: true }, viewerOf('304'));
      expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    test('stages a run invisibly, commits it whole in one transaction, and keeps a run to its owner and catalogue', async () => {
      type Staged = Record<
        string,
        { stageObservationColumns: { ok: boolean; staged: number; errors: Payload['errors'] } }
      >;
      const STAGE = `mutation($run: String!, $columns: ObservationColumns!) { ${prefix} { stageObservationColumns(run: $run, columns: $columns) { ok staged errors { index field message code } } } }`;
      const COMMIT = `mutation($run: String!) { ${prefix} { commitObservationStage(run: $run) { ok inserted updated unchanged } } }`;
      const DISCARD = `mutation($run: String!) { ${prefix} { discardObservationStage(run: $run) } }`;
      const stage = (run: string, columns: unknown, identity: Identity = ADMIN) =>
        askSubgraph<Staged>(service.url, STAGE, { run, columns }, identity);
      const commit = (run: string, identity: Identity = ADMIN) =>
        askSubgraph<Record<string, { commitObservationStage: Payload }>>(service.url, COMMIT, { run }, identity);
      const discard = async (run: string) =>
        (await askSubgraph<Record<string, { discardObservationStage: boolean }>>(service.url, DISCARD, { run }, ADMIN))
          .data![prefix]!.discardObservationStage;
      const codeOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;
      const [a, b, c] = wardsOf('305')
        .slice(2, 5)
        .map((u) => u.code);
      const one = (unit: string, value: number, period = '2023S1') => ({
        indicator: [ind.flow.code],
        unit: [unit],
        period: [period],
        value: [value],
      });
      const valueOf = async (unit: string) => {
        const answer = await figures([catalog.resolve(unit, '2023-06-30')!.id]);
        const list = answer.data!._entities[0][`${prefix}Figures`] as { period: string; value: number }[];
        return list.find((f) => f.period === '2023S1')?.value ?? null;
      };
      await payload([
        { indicator: ind.flow.code, unit: a!, period: '2023S1', value: 1 },
        { indicator: ind.flow.code, unit: b!, period: '2023S1', value: 2 },
      ]);
      const seq = await lastSeq();
      const run = `suite-${kind}-${Date.now()}`;
      const staged = await stage(run, {
        indicator: [ind.flow.code, ind.flow.code],
        unit: [a, b],
        period: ['2023S1', '2023S1'],
        value: [10, 2],
      });
      expect(staged.data![prefix]!.stageObservationColumns).toEqual({ ok: true, staged: 2, errors: [] });
      // A key staged twice in one run: the later row counts.
      expect((await stage(run, one(c!, 3))).data![prefix]!.stageObservationColumns.ok).toBe(true);
      expect((await stage(run, one(c!, 30))).data![prefix]!.stageObservationColumns.ok).toBe(true);
      // A batch with a bad row stages none of its rows.
      const bad = await stage(run, {
        ...one(c!, 7),
        unit: [c, c],
        indicator: [ind.flow.code, ind.flow.code],
        period: ['2023S1', '2023S3'],
        value: [7, 7],
      });
      expect(bad.data![prefix]!.stageObservationColumns).toMatchObject({
        ok: false,
        staged: 0,
        errors: [expect.objectContaining({ index: 1, field: 'period', code: 'INVALID_PERIOD' })],
      });
      // Nothing staged is visible, in answers or in the feed.
      expect(await lastSeq()).toBe(seq);
      expect(await valueOf(a!)).toBe(1);
      expect(await valueOf(c!)).toBeNull();
      // Only the identity that staged the run commits it; a viewer may not even try.
      expect(codeOf(await commit(run, editorOf('305')))).toBe('FORBIDDEN');
      expect(codeOf(await commit(run, viewerOf('305')))).toBe('FORBIDDEN');
      expect((await commit(run)).data![prefix]!.commitObservationStage).toEqual({
        ok: true,
        inserted: 1,
        updated: 1,
        unchanged: 1,
      });
      expect(await valueOf(a!)).toBe(10);
      expect(await valueOf(c!)).toBe(30);
      const feed = (await feedAfter(seq)) as { changes: { unitId: string; value: number }[] };
      const idOf = (code: string) => catalog.resolve(code, '2023-06-30')!.id;
      expect(feed.changes.map((f) => [f.unitId, f.value])).toEqual(
        [
          [idOf(a!), 10],
          [idOf(c!), 30],
        ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      );
      // Committing again (a client whose commit timed out) answers the same and writes nothing; a
      // committed run takes no more rows and is not discarded.
      expect((await commit(run)).data![prefix]!.commitObservationStage).toEqual({
        ok: true,
        inserted: 1,
        updated: 1,
        unchanged: 1,
      });
      expect(await lastSeq()).toBe(seq + 2);
      expect(codeOf(await stage(run, one(c!, 4)))).toBe('RUN_CONFLICT');
      expect(await discard(run)).toBe(false);
      // A discarded run is gone, and its rows never show.
      const dropped = `${run}-dropped`;
      await stage(dropped, one(c!, 99));
      expect(await discard(dropped)).toBe(true);
      expect(await discard(dropped)).toBe(false);
      expect(codeOf(await commit(dropped))).toBe('RUN_NOT_FOUND');
      expect(await valueOf(c!)).toBe(30);
      expect(codeOf(await stage('short', one(c!, 1)))).toBe('BAD_USER_INPUT');
      // Rows checked against one unit catalogue are not written under another.
      const stale = `${run}-stale`;
      await stage(stale, one(c!, 5));
      await expect(
        commitStage(service.orm.em.fork(), stale, { owner: ownerOf(ADMIN), catalogue: 'another-catalogue' }),
      ).rejects.toMatchObject({ extensions: { code: 'RUN_CONFLICT' } });
      expect(await discard(stale)).toBe(true);
      // One identity keeps at most MAX_OPEN_RUNS runs open.
      const editor = editorOf('305');
      const open = Array.from({ length: MAX_OPEN_RUNS }, (_, i) => `${run}-open-${i}`);
      for (const id of open) expect((await stage(id, one(c!, 1), editor)).errors).toBeUndefined();
      const over = await stage(`${run}-one-too-many`, one(c!, 1), editor);
      expect(codeOf(over)).toBe('RUN_CONFLICT');
      expect(over.errors![0]!.message).toContain(`${MAX_OPEN_RUNS} ingest runs open`);
      for (const id of open)
        expect(
          (
            await askSubgraph<Record<string, { discardObservationStage: boolean }>>(
              service.url,
              DISCARD,
              { run: id },
              editor,
            )
          ).data![prefix]!.discardObservationStage,
        ).toBe(true);
      const left = await service.orm.em.fork().getConnection().execute('select count(*) as n from observation_stage');
      expect(Number(left[0].n)).toBe(0);
    });

    test('filters figures by period and indicators', async () => {
      const unit = wardsOf('304')[5]!;
      await payload([
        { indicator: ind.flow.code, unit: unit.code, period: '2021S1', value: 1 },
        { indicator: ind.flow.code, unit: unit.code, period: '2021S2', value: 2 },
        { indicator: ind.plain.code, unit: unit.code, period: '2021S1', value: 3 },
      ]);
      const q = `query($reps: [_Any!]!, $p: String, $i: [String!]) { _entities(representations: $reps) { ... on AdminUnit { ${prefix}Figures(period: $p, indicators: $i) { indicator { code } period value } } } }`;
      const ask = async (p?: string, i?: string[]) =>
        (await askSubgraph(service.url, q, { reps: [{ __typename: 'AdminUnit', id: unit.id }], p, i })).data!
          ._entities[0][`${prefix}Figures`];
      expect(await ask('2021S1')).toHaveLength(2);
      expect(await ask('2021S1', [ind.flow.code])).toEqual([
        { indicator: { code: ind.flow.code }, period: '2021S1', value: 1 },
      ]);
      expect(await ask(undefined, [ind.flow.code])).toHaveLength(2);
      expect(await ask('2021')).toEqual([]);
      const bad = await askSubgraph(service.url, q, { reps: [{ __typename: 'AdminUnit', id: unit.id }], p: '2021S3' });
      expect(bad.errors![0]!.extensions!.code).toBe('INVALID_PERIOD');
    });

    test('concurrent batches neither fail nor lose updates, and the feed ends in the stored state', async () => {
      const start = await lastSeq();
      const units = wardsOf('311').slice(0, 20);
      const batches = Array.from({ length: 8 }, (_, b) =>
        units.map((u) => ({
          indicator: ind.flow.code,
          unit: u.code,
          period: '2023',
          ...(b % 2 === 0 ? { value: b + 1 } : { target: b + 1 }),
        })),
      );
      const results = await Promise.all(batches.map((rows) => payload(rows)));
      for (const r of results) expect(r.ok).toBe(true);
      const written = results.reduce((s, r) => s + r.inserted + r.updated, 0);
      expect(results.reduce((s, r) => s + r.inserted, 0)).toBe(units.length);
      const stored = (await figures(units.map((u) => u.id))).data!._entities.map((e: any) => e[`${prefix}Figures`][0]);
      for (const f of stored) {
        expect([1, 3, 5, 7]).toContain(f.value);
        expect([2, 4, 6, 8]).toContain(f.target);
      }
      const feed = await feedAfter(start);
      expect(feed.changes).toHaveLength(written);
      feed.changes.forEach((c: any, i: number) => i && expect(c.seq).toBeGreaterThan(feed.changes[i - 1].seq));
      const lastState = new Map<string, any>();
      for (const c of feed.changes) lastState.set(c.unitId, { value: c.value, target: c.target });
      for (const f of stored) expect(lastState.get(f.unitId)).toEqual({ value: f.value, target: f.target });
    });

    test('answers federated queries over many units with the same number of SQL statements', async () => {
      const communes = catalog
        .subtree(catalog.resolve('31', '2025-06-30')!.id)
        .concat(catalog.subtree(catalog.resolve('30', '2025-06-30')!.id))
        .filter((u) => u.level === 'COMMUNE')
        .slice(0, 300);
      expect(communes).toHaveLength(300);
      expect(
        await payload(communes.map((u, i) => ({ indicator: ind.plain.code, unit: u.id, period: '2020S1', value: i }))),
      ).toMatchObject({ ok: true, inserted: 300 });
      const q = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id
        current: ${prefix}Figures(period: "2020S1") { indicator { code } value }
        all: ${prefix}Figures { period }
        ${options.recordFields ?? ''} } } }`;
      const count = async (n: number): Promise<{ statements: number; answer: any }> => {
        // Every unit is asked for twice, as a gateway does for repeated references.
        const reps = [...communes.slice(0, n), ...communes.slice(0, n)].map((u) => ({
          __typename: 'AdminUnit',
          id: u.id,
        }));
        counter.reset();
        const answer = await askSubgraph(service.url, q, { reps });
        return { statements: counter.statements.filter((s) => /^select\b/i.test(s)).length, answer };
      };
      const small = await count(20);
      const large = await count(300);
      expect(small.answer.errors).toBeUndefined();
      expect(large.answer.errors).toBeUndefined();
      expect(large.answer.data._entities).toHaveLength(600);
      expect(large.answer.data._entities.every((e: any) => e.current.length === 1)).toBe(true);
      expect(small.statements).toBeGreaterThan(0);
      expect(large.statements).toBe(small.statements);
      expect(large.statements).toBeLessThanOrEqual(2 + (options.recordKinds ?? 0));
    });

    test('reports its store on /health and prints a namespaced schema', async () => {
      const health = (await (await fetch(`${base}/health`)).json()) as Record<string, any>;
      expect(health).toMatchObject({ status: 'ok', service: prefix, domain, catalog: 'ready' });
      expect(health.observations).toBeGreaterThan(0);
      expect(health.lastSeq).toBe(await lastSeq());
      expect(health.demoData.synthetic).toBe(SYNTHETIC_LABEL);
      const noIdentity = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect(noIdentity.status).toBe(401);
    });
  });
}

/**
 * The demo data of a domain, on SQLite and PostgreSQL: it loads on start into an empty store, holds
 * the seed report's figures exactly as stored values, reloads idempotently through `POST /internal/seed`,
 * and records no province-level figures for FLOW indicators.
 */
export function demoDataSuite(
  options: DomainSuiteOptions & {
    checkRecords?: (service: RunningDomainService, catalog: UnitCatalog) => Promise<void>;
  },
): void {
  const { domain } = options;
  const prefix = domainPrefix(domain);
  const FIGURES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit { id ${prefix}Figures { indicator { code } unitId period value target } } } }`;

  describe.each(['sqlite', 'postgresql'] as const)(`${prefix} demo data on %s`, (kind) => {
    let store: TestStore;
    let service: RunningDomainService;
    let catalog: UnitCatalog;

    beforeAll(async () => {
      catalog = options.catalog();
      store = await createTestStore(kind, `${prefix}_demo`);
      if (!store.available) return;
      service = await options.start({
        port: 0,
        dataDir: store.dataDir,
        databaseUrl: store.databaseUrl,
        internalSecret: TEST_INTERNAL_SECRET,
        catalog: staticCatalog(catalog),
        demoData: true,
        logLevel: 'silent',
      });
    });

    afterAll(async () => {
      await service?.close();
      await store?.dispose();
    });

    const test = (name: string, fn: () => Promise<void>): void => {
      it(name, async () => {
        if (!store.available) return;
        await fn();
      });
    };
    type StoredFigure = {
      indicator: { code: string };
      unitId: string;
      period: string;
      value: number | null;
      target: number | null;
    };
    const figuresOf = async (ids: string[]): Promise<StoredFigure[][]> =>
      (
        await askSubgraph(service.url, FIGURES, { reps: ids.map((id) => ({ __typename: 'AdminUnit', id })) })
      ).data!._entities.map((e: Record<string, StoredFigure[]>) => e[`${prefix}Figures`]!);

    test("loads on start into an empty store and holds the seed report's figures as stored values", async () => {
      const counts = (await service.demoLoad)!;
      expect(counts).not.toBeNull();
      expect(counts.synthetic.label).toBe(SYNTHETIC_LABEL);
      expect(counts.synthetic.rows).toBeGreaterThan(10_000);
      expect(counts.synthetic.rows).toBeLessThan(100_000);
      expect(counts.synthetic.inserted).toBe(counts.synthetic.rows);
      const report = reportRecords(domain);
      expect(report.length).toBeGreaterThan(0);
      expect(counts.report).toMatchObject({ rows: report.length, inserted: report.length });
      const [stored] = await figuresOf(['304@2000-01-01']);
      for (const r of report) {
        const f = stored!.find((s) => s.indicator.code === r.indicator && s.period === r.period);
        expect({ key: `${r.indicator} ${r.period}`, value: f?.value ?? null, target: f?.target ?? null }).toEqual({
          key: `${r.indicator} ${r.period}`,
          value: r.value ?? null,
          target: r.target ?? null,
        });
      }
    });

    test('the report file is the committed ingest-format CSV', async () => {
      const parsed = parseIngest(readFileSync(REPORT_FILE, 'utf8'), 'csv');
      expect(parsed.fileProblems).toEqual([]);
      expect(parsed.rows.every((r) => r.problems.length === 0 && r.record!.unit === '304')).toBe(true);
    });

    test('reloads idempotently through POST /internal/seed', async () => {
      await service.demoLoad;
      const before = (await callInternal(`http://127.0.0.1:${service.port}`, '/health')).body;
      const again = await callInternal(`http://127.0.0.1:${service.port}`, '/internal/seed', { method: 'POST' });
      expect(again.status).toBe(200);
      expect(again.body.synthetic).toMatchObject({ label: SYNTHETIC_LABEL, inserted: 0, updated: 0 });
      expect(again.body.synthetic.unchanged).toBe(again.body.synthetic.rows);
      expect(again.body.report).toMatchObject({ inserted: 0, updated: 0 });
      const after = (await callInternal(`http://127.0.0.1:${service.port}`, '/health')).body;
      expect(after.lastSeq).toBe(before.lastSeq);
      expect(after.observations).toBe(before.observations);
      const refused = await callInternal(`http://127.0.0.1:${service.port}`, '/internal/seed', {
        method: 'POST',
        identity: ADMIN,
      });
      expect(refused.status).toBe(403);
    });

    test("records no province-level FLOW figures, and the report's district figures are the sum of its wards' where both exist", async () => {
      await service.demoLoad;
      const provinces = [
        catalog.resolve('31', '2025-06-30')!,
        catalog.resolve('30', '2025-06-30')!,
        catalog.resolve('31', '2025-07-01')!,
      ];
      for (const list of await figuresOf(provinces.map((p) => p.id))) {
        expect(list!.filter((f) => findIndicator(f.indicator.code)!.rule === 'FLOW')).toEqual([]);
      }
      const district = await figuresOf(['304@2000-01-01']);
      const wards = await figuresOf(catalog.children('304@2000-01-01').map((u) => u.id));
      let compared = 0;
      for (const r of reportRecords(domain)) {
        for (const field of ['value', 'target'] as const) {
          if (r[field] == null) continue;
          const parts = wards
            .map((list) => list!.find((f) => f.indicator.code === r.indicator && f.period === r.period)?.[field])
            .filter((v) => v != null);
          if (!parts.length) continue;
          compared++;
          expect({ key: `${r.indicator} ${r.period} ${field}`, sum: parts.reduce((s, v) => s! + v!, 0) }).toEqual({
            key: `${r.indicator} ${r.period} ${field}`,
            sum: r[field],
          });
        }
      }
      expect(district[0]!.length).toBeGreaterThan(0);
      expect(compared).toBeGreaterThan(0);
    });

    if (options.checkRecords) {
      test('holds demo records consistent with the demo figures', async () => {
        await service.demoLoad;
        await options.checkRecords!(service, catalog);
      });
    }
  });
}
