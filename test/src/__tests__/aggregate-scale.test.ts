import { GraphQLError } from 'graphql';
import { Figure, findIndicator, parsePeriod, ReferenceEvaluator, UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { type AggregateRequest, type AggregateRow, runAggregate } from '@lgr/analytics/dist/engine';
import { AnalyticsStore, type FeedChange } from '@lgr/analytics/dist/store';
import { syntheticFacts } from '../bench/synthetic';

const NUMBERS = ['value', 'target', 'achievementPct', 'samePeriodValue', 'samePeriodPct'] as const;

/** The sampled rows' numbers that differ from the reference evaluator's, as `indicator unit period field`. */
function disagreements(rows: readonly AggregateRow[], evaluator: ReferenceEvaluator): string[] {
  return rows.flatMap((row) => {
    const want = evaluator.row(findIndicator(row.indicator)!, row.unitId, parsePeriod(row.period));
    const differs = (a: number | null, b: number | null) =>
      a === null || b === null ? a !== b : Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    const fields = [
      ...NUMBERS.filter((f) => differs(row[f], want[f])),
      ...(row.complete === want.complete ? [] : ['complete']),
    ];
    return fields.map((f) => `${row.indicator} ${row.unitId} ${row.period} ${f}`);
  });
}

/*
 * The real catalogue with a few hundred thousand synthetic facts: country-wide queries, checked
 * against the reference evaluator on a sample of rows. Times are printed, not asserted (test
 * machines are shared); `npm run bench` reports them as ratios.
 */
describe('country-sized queries', () => {
  let catalog: UnitCatalog;
  let store: AnalyticsStore;
  let facts: FeedChange[];
  let evaluator: ReferenceEvaluator;

  beforeAll(async () => {
    const { units, links } = loadAdminUnits(DEFAULT_UNITS_DIR);
    catalog = new UnitCatalog(units, links);
    store = await AnalyticsStore.open(':memory:');
    await store.syncCatalog(catalog);
    facts = syntheticFacts(catalog);
    await store.applyChanges('bench', facts, facts.length);
    evaluator = new ReferenceEvaluator(catalog, facts as Figure[]);
  });
  afterAll(() => store.close());

  const sample = (rows: AggregateRow[], n: number) =>
    rows.filter((r, i) => !r.total && i % Math.ceil(rows.length / n) === 0);
  const timed = async (request: AggregateRequest) => {
    const started = Date.now();
    const rows = await runAggregate(store, catalog, request);
    return { rows, ms: Date.now() - started };
  };

  it(`answers for all 3,321 communes of the country`, async () => {
    const provinces = catalog.validOn('2025-12-31', 'PROVINCE').map((p) => p.code);
    const request: AggregateRequest = {
      indicators: ['PB_NEW_MEMBERS'],
      units: provinces,
      periods: ['2025'],
      level: 'COMMUNE',
    };
    await timed(request);
    const { rows, ms } = await timed(request);
    console.log(`${facts.length} facts; all communes of the country for 2025: ${rows.length} rows in ${ms} ms`);
    expect(rows).toHaveLength(3321);
    expect(rows.every((r) => r.value !== null)).toBe(true);
    expect(disagreements(sample(rows, 40), evaluator)).toEqual([]);
  });

  it('answers for all communes of a province, for several periods and indicators', async () => {
    const request: AggregateRequest = {
      indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_POOR_RATE'],
      units: ['31'],
      from: '2024Q1',
      to: '2025Q2',
      grain: 'QUARTER',
      level: 'COMMUNE',
      totals: true,
    };
    await timed(request);
    const { rows, ms } = await timed(request);
    console.log(`communes of old Hải Phòng, 3 indicators, 6 quarters: ${rows.length} rows in ${ms} ms`);
    expect(rows.filter((r) => !r.total)).toHaveLength(3 * 6 * 167);
    expect(disagreements(sample(rows, 60), evaluator)).toEqual([]);
  });

  it('stops a query that runs past its time limit and stays usable', async () => {
    const provinces = catalog.validOn('2025-12-31', 'PROVINCE').map((p) => p.code);
    const error = await runAggregate(
      store,
      catalog,
      { indicators: ['SS_POOR_RATE'], units: provinces, periods: ['2025'], totals: true },
      { timeoutMs: 5 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('TIMEOUT');
    const rows = await runAggregate(store, catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['304'],
      periods: ['2024'],
    });
    expect(rows[0]!.value).not.toBeNull();
  });

  it('gives concurrent queries a consistent snapshot while a feed batch is applied', async () => {
    const request: AggregateRequest = {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['31'],
      periods: ['2024'],
      level: 'DISTRICT',
      totals: true,
    };
    const before = await runAggregate(store, catalog, request);
    const district = catalog.children('31@2000-01-01')[0]!;
    // The district reports a figure of its own: its value and the city total change, together.
    const batch: FeedChange[] = [
      {
        seq: facts.length + 1,
        indicator: 'PB_NEW_MEMBERS',
        unitId: district.id,
        period: '2024',
        value: 1,
        target: null,
      },
    ];
    const [answers] = await Promise.all([
      Promise.all([1, 2, 3, 4].map(() => runAggregate(store, catalog, request))),
      store.applyChanges('bench', batch, facts.length + 1),
    ]);
    for (const rows of [...answers, await runAggregate(store, catalog, request)]) {
      const sum = rows.filter((r) => !r.total).reduce((s, r) => s + (r.value ?? 0), 0);
      expect(rows.find((r) => r.total)!.value).toBeCloseTo(sum, 9);
    }
    const after = await runAggregate(store, catalog, request);
    expect(after.find((r) => r.unitId === district.id)!.value).toBe(1);
    expect(before.find((r) => r.unitId === district.id)!.value).not.toBe(1);
  });
});
