import { AnalyticsStore, queryRows, runStatement, statement } from '../../store';
import { CatalogChangedError, computePlan, planTableRows } from '../aggregate';
import { planAggregate } from '../plan';
import {
  coverage,
  createPlanTablesStatements,
  expectedAggregate,
  derivedTablesStatements,
  GRAIN_ORDER,
  pct,
  PLAN_TABLES,
  PlanTable,
  resultStatement,
  segmentExpected,
  stagesStatement,
  stepRules,
  targetStepStatement,
  valueStepStatement,
} from '../sql';
import { realCatalog } from './helpers';

describe('engine SQL builders', () => {
  it('bind the grain and stage as parameters instead of writing them into the SQL', () => {
    const s = valueStepStatement('QUARTER', 1);
    expect(s.params).toEqual(['QUARTER', 1]);
    expect(s.sql).toContain('grain = $1');
    expect(s.sql).toContain('stage = $2');
    expect(s.sql).not.toContain("'QUARTER'");
    const t = targetStepStatement(3);
    expect(t.params).toEqual([3]);
    expect(t.sql).toContain('stage = $1');
    for (const fixed of [
      resultStatement(),
      stagesStatement(),
      ...derivedTablesStatements(),
      ...createPlanTablesStatements(),
    ]) {
      expect(fixed.params).toEqual([]);
    }
  });

  it('write into the work tables and read only the plan and store tables', () => {
    expect(valueStepStatement('MONTH', 0).sql).toMatch(/^INSERT INTO dp_value /);
    expect(targetStepStatement(0).sql).toMatch(/^INSERT INTO dp_target /);
    expect(resultStatement().sql).toMatch(/^WITH part_nodes AS/);
    const created = createPlanTablesStatements().map((s) => /TEMP TABLE (\w+)/.exec(s.sql)![1]);
    expect(created).toEqual([...Object.keys(PLAN_TABLES), 'dp_value', 'dp_target']);
    const derived = derivedTablesStatements().map((s) => /TEMP TABLE (\w+)/.exec(s.sql)![1]);
    expect(derived).toEqual(['plan_facts', 'plan_partial_inside', 'plan_target_facts']);
  });

  it('compute what rule 9 expects of a unit over a period from its weight segments, and coverage', async () => {
    const store = await AnalyticsStore.open(':memory:', { threads: 1 });
    try {
      await store.withConnection(async (c) => {
        // A unit of 2.5 leaves before month 100 (its predecessors' shares) and 3 from month 100 on.
        const sql = `WITH w(from_month, to_month, leaves) AS (VALUES (0, 99, 2.5), (100, 1000, 3.0)),
          q(rule, s, e) AS (VALUES ('FLOW', 94, 105), ('STOCK', 94, 105), ('STOCK', 94, 99), ('FLOW', 100, 102))
          SELECT q.rule, q.s, q.e, ${expectedAggregate('q.rule', 'q.s', 'q.e')} AS expected
          FROM q, w GROUP BY q.rule, q.s, q.e ORDER BY q.s, q.e, q.rule`;
        const rows = await queryRows(c, statement(sql));
        expect(rows.map((r) => [r.rule, Number(r.expected)])).toEqual([
          ['STOCK', 2.5],
          ['FLOW', 6 * 2.5 + 6 * 3],
          ['STOCK', 3],
          ['FLOW', 9],
        ]);
        const cov = await queryRows(
          c,
          statement(
            `SELECT ${coverage('e', 'r', 'v')} AS c FROM (VALUES (4.0, 1.0, 7.0, 1), (0.0, 0.0, 3.0, 2), (0.0, 0.0, NULL, 3), (3.0, 3.0000000001, 1.0, 4)) t(e, r, v, k) ORDER BY k`,
          ),
        );
        expect(cov.map((r) => Number(r.c))).toEqual([0.25, 1, 0, 1]);
      });
    } finally {
      await store.close();
    }
  });

  it('compute the same expected weight from a single segment as from the segments table', async () => {
    const store = await AnalyticsStore.open(':memory:', { threads: 1 });
    try {
      await store.withConnection(async (c) => {
        // A leaf from month 100, a unit of no weight (the empty segment), and periods before, across and after.
        const sql = `WITH u(k, w_from, w_to, w_leaves) AS (VALUES (1, 100, 120000, 1.0), (2, 0, -1, 0.0), (3, 50, 99, 2.5)),
          q(rule, s, e) AS (VALUES ('FLOW', 94, 105), ('STOCK', 94, 105), ('STOCK', 94, 99), ('FLOW', 90, 95), ('FLOW', 100, 102)),
          one AS (SELECT u.k, q.rule, q.s, q.e, ${segmentExpected('q.rule', 'q.s', 'q.e', 'u')} AS expected FROM u, q),
          grouped AS (
            SELECT u.k, q.rule, q.s, q.e, ${expectedAggregate('q.rule', 'q.s', 'q.e')} AS expected
            FROM u CROSS JOIN q LEFT JOIN (SELECT k, w_from AS from_month, w_to AS to_month, w_leaves AS leaves FROM u WHERE w_leaves <> 0) w ON w.k = u.k
            GROUP BY u.k, q.rule, q.s, q.e
          )
          SELECT count(*) AS n, count(*) FILTER (WHERE one.expected = grouped.expected) AS same
          FROM one JOIN grouped USING (k, rule, s, e)`;
        const [row] = await queryRows(c, statement(sql));
        expect(Number(row!.n)).toBe(15);
        expect(Number(row!.same)).toBe(15);
      });
    } finally {
      await store.close();
    }
  });

  it('split FLOW and STOCK indicators each with their own aggregate, only for the rules a query has', () => {
    expect(
      stepRules([
        { rule: 'FLOW', value: true },
        { rule: 'RATIO', value: false },
      ]),
    ).toEqual({ flow: true, stock: false });
    expect(stepRules([{ rule: 'STOCK', value: true }])).toEqual({ flow: false, stock: true });
    const parts = { own: false, before: false, partial: false, split: true, lift: false };
    const flow = valueStepStatement('YEAR', 0, parts, { flow: true, stock: false }).sql;
    expect(flow).toContain('flow_parts');
    expect(flow).not.toContain('stock_parts');
    expect(flow).not.toContain('pw');
    const both = valueStepStatement('YEAR', 0, parts).sql;
    expect(both).toContain('flow_parts');
    expect(both).toContain('stock_parts');
    expect(() => valueStepStatement('YEAR', 0, parts, { flow: false, stock: false })).toThrow();
  });

  it('order grains so that every sub-period is computed before its period', () => {
    expect(GRAIN_ORDER).toEqual(['MONTH', 'QUARTER', 'SIX_MONTH', 'YEAR', 'TERM']);
  });

  it('lay out plan rows in the columns of the plan tables', () => {
    const plan = planAggregate(realCatalog(), {
      indicators: ['SS_POOR_RATE', 'PB_NEW_MEMBERS'],
      units: ['31'],
      periods: ['2025', '2020-2025'],
      level: 'PROVINCE',
      totals: true,
    });
    const rows = planTableRows(plan);
    for (const name of Object.keys(PLAN_TABLES) as PlanTable[]) {
      expect(rows[name].length).toBeGreaterThan(0);
      for (const row of rows[name]) expect(row).toHaveLength(PLAN_TABLES[name].length);
    }
  });

  describe('in DuckDB', () => {
    let store: AnalyticsStore;
    beforeAll(async () => {
      store = await AnalyticsStore.open(':memory:', { threads: 1 });
    });
    afterAll(() => store.close());

    it('prepare against the store and plan tables', async () => {
      await store.withConnection(async (c) => {
        for (const s of createPlanTablesStatements()) await runStatement(c, s);
        for (const s of derivedTablesStatements()) await runStatement(c, s);
        const statements = [
          ...GRAIN_ORDER.map((g) => valueStepStatement(g, 0)),
          targetStepStatement(0),
          resultStatement(),
          stagesStatement(),
        ];
        for (const s of statements) {
          const prepared = await c.prepare(s.sql);
          try {
            expect(prepared.parameterCount).toBe(s.params.length);
          } finally {
            prepared.destroySync();
          }
        }
      });
    });

    it('refuse to compute a plan made from another catalogue than the store holds', async () => {
      const plan = planAggregate(realCatalog(), { indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2024'] });
      await expect(
        store.withConnection((c) => computePlan(c, plan, undefined, 'another digest')),
      ).rejects.toBeInstanceOf(CatalogChangedError);
    });

    it('compute percentages with null for a missing or zero denominator', async () => {
      const rows = await store.withConnection((c) =>
        queryRows(
          c,
          statement(
            `SELECT ${pct('a', 'b')} AS p FROM (VALUES (1.0::DOUBLE, 4.0::DOUBLE, 1), (1.0, 0.0, 2), (NULL, 4.0, 3), (1.0, NULL, 4), (0.0, 4.0, 5)) t(a, b, o) ORDER BY o`,
          ),
        ),
      );
      expect(rows.map((r) => r.p)).toEqual([25, null, null, null, 0]);
    });
  });
});
