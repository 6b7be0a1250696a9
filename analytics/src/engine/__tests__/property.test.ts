import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { Figure, onlyMeasures, parsePeriod, ReferenceEvaluator, tryParsePeriod, UnitCatalog } from '@lgr/schema';
import { AnalyticsStore } from '../../store';
import type { AggregateRequest, AggregateRow } from '../types';
import { AnsweredBy, askWith, changesOf, compareWithEvaluator, differences, measuresOf } from './helpers';
import { buildScenario, expectedRowKeys, expectedTotal, groupMembers, scenarioArbitrary } from './generators';

/*
 * The engine against the reference evaluator on random two-era hierarchies, figures and requests.
 * The seed is fixed (override with FC_SEED, the number of runs with FC_RUNS; FC_SHRINK=0 reports the
 * first failure without shrinking it); a failure prints the
 * seed, the shrunk scenario and the rows that differ.
 */
const SEED = Number(process.env.FC_SEED ?? 20250701);
const RUNS = Number(process.env.FC_RUNS ?? 200);
const STRATEGIES = ['sql', 'memory', 'additive'] as const;
/** How each strategy asked for is asked: 'additive stored' reads the month sources from the store. */
const ASKED = {
  sql: { strategy: 'sql' },
  memory: { strategy: 'memory' },
  additive: { strategy: 'additive' },
  'additive stored': { strategy: 'additive', additiveSources: 'stored' },
} as const;
type Strategy = keyof typeof ASKED;

describe('runAggregate agrees with the reference evaluator', () => {
  let store: AnalyticsStore | undefined;
  const stats = {
    scenarios: 0,
    requests: 0,
    emptyAnswers: 0,
    rows: 0,
    totals: 0,
    unitNotFound: 0,
    notes: 0,
    nonNullValues: 0,
    incomplete: 0,
    partlyCovered: 0,
    termRows: 0,
    /** Requests that ask for some numbers only. */
    someMeasures: 0,
    /** By strategy asked for, the path that answered. */
    answeredBy: Object.fromEntries(
      Object.keys(ASKED).map((s) => [s, { memory: 0, programme: 0, additive: 0, 'plan only': 0 }]),
    ) as Record<Strategy, Record<AnsweredBy, number>>,
    ms: 0,
  };

  afterAll(async () => {
    await store?.close();
    console.log(`property cases: ${JSON.stringify(stats)}`);
  });

  /** Asks each request of a hierarchy with `figures` by each strategy, each answer held to the evaluator. */
  async function askEveryWay(
    catalog: UnitCatalog,
    figures: readonly Figure[],
    requests: readonly AggregateRequest[],
    strategies: readonly Strategy[],
  ): Promise<void> {
    // Unit ids repeat across runs, so every run has a store of its own.
    await store?.close();
    store = await AnalyticsStore.open(':memory:', { threads: 2 });
    await store.syncCatalog(catalog);
    await store.applyChanges('test', changesOf(figures), figures.length);
    const evaluator = new ReferenceEvaluator(catalog, figures);
    for (const [request, strategy] of requests.flatMap((r) => strategies.map((s) => [r, s] as const))) {
      let rows: AggregateRow[];
      const started = Date.now();
      try {
        const answer = await askWith(store, catalog, request, ASKED[strategy]);
        rows = answer.rows;
        stats.ms += Date.now() - started;
        stats.answeredBy[strategy][answer.by]++;
        if (!rows.length) stats.emptyAnswers++;
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions.code === 'UNIT_NOT_FOUND') {
          const { unit, date } = error.extensions as { unit: string; date: string };
          expect(unit.includes('@') ? catalog.get(unit) : catalog.resolve(unit, date)).toBeUndefined();
          stats.unitNotFound++;
          continue;
        }
        throw error;
      }
      stats.requests++;
      const measures = measuresOf(request);
      if (request.measures) stats.someMeasures++;
      const problems = compareWithEvaluator(rows, evaluator, measures);
      const keys = rows.map((r) => `${r.indicator}|${r.unitId}|${r.period}|${r.total ? 'total' : 'row'}`);
      const expectedKeys = expectedRowKeys(catalog, request);
      if (keys.join('\n') !== expectedKeys.join('\n')) {
        problems.push(
          `rows ${JSON.stringify(keys.slice(0, 12))} differ from ${JSON.stringify(expectedKeys.slice(0, 12))}`,
        );
      }
      for (const row of rows.filter((r) => r.total && r.note === null)) {
        const members = groupMembers(catalog, row.unitId, request.level, row.boundariesAsOf);
        const want = onlyMeasures(
          expectedTotal(
            evaluator,
            row,
            members,
            row.periods.map((p) => parsePeriod(p)),
          ),
          measures,
        );
        problems.push(...differences(`TOTAL ${row.indicator} ${row.unitId} ${row.period}`, row, want));
      }
      if (problems.length) {
        throw new Error(
          `${problems.length} differences (strategy ${strategy}) for ${JSON.stringify(request)}:\n${problems.slice(0, 20).join('\n')}\nfigures: ${JSON.stringify(figures)}\nunits: ${JSON.stringify(catalog.units.map((u) => [u.id, u.parentId]))}\nlinks: ${JSON.stringify(catalog.links)}`,
        );
      }
      stats.rows += rows.filter((r) => !r.total).length;
      stats.totals += rows.filter((r) => r.total).length;
      stats.nonNullValues += rows.filter((r) => r.value !== null).length;
      stats.incomplete += rows.filter((r) => !r.complete).length;
      stats.partlyCovered += rows.filter((r) => r.coverage.value > 0 && r.coverage.value < 1).length;
      stats.notes += rows.filter((r) => r.note !== null).length;
      stats.termRows += rows.filter((r) => r.periods.length > 1 || r.periods[0] !== r.period).length;
    }
  }

  it(
    'on random hierarchies, lineage, figures and requests',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary, async (spec) => {
          const scenario = buildScenario(spec);
          stats.scenarios++;
          // Every request by every path: the SQL programme, in memory over the facts it reads, and the
          // additive path (which leaves a question whose figures are not all leaf months to the others).
          await askEveryWay(scenario.catalog, scenario.figures, scenario.requests, STRATEGIES);
          // The same hierarchy with only its leaves' monthly values (and every target), where the
          // additive path answers every question about a FLOW and its ratios, with the month sources
          // bound in its statement (as a small question has them) and joined from the store.
          await askEveryWay(scenario.catalog, leafMonths(scenario.catalog, scenario.figures), scenario.requests, [
            'additive',
            'additive stored',
          ]);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: process.env.FC_SHRINK === '0' },
      );
      expect(stats.rows).toBeGreaterThan(RUNS);
      // The scenarios reach what coverage and terms are about.
      expect(stats.partlyCovered).toBeGreaterThan(0);
      expect(stats.termRows).toBeGreaterThan(0);
      expect(stats.someMeasures).toBeGreaterThan(RUNS);
      // Every path was held to the evaluator: the programme and memory each on every question that
      // has numbers, the additive path on many (most questions over leaf months).
      expect(stats.answeredBy.memory.memory).toBeGreaterThan(RUNS);
      expect(stats.answeredBy.memory.memory).toBe(stats.answeredBy.sql.programme);
      expect(stats.answeredBy.additive.additive).toBeGreaterThan(RUNS);
      expect(stats.answeredBy['additive stored'].additive).toBeGreaterThan(RUNS);
    },
    Math.max(120_000, RUNS * 5_000), // a guard against a hang, not a speed check: a loaded machine runs it several times slower
  );
});

/** The figures with a value kept only for a leaf's month; every target is kept. */
function leafMonths(catalog: UnitCatalog, figures: readonly Figure[]): Figure[] {
  return figures.flatMap((f) => {
    const leafMonth = catalog.isLeaf(f.unitId) && tryParsePeriod(f.period)?.grain === 'MONTH';
    if (leafMonth || f.value === null) return [f];
    return f.target === null ? [] : [{ ...f, value: null }];
  });
}
