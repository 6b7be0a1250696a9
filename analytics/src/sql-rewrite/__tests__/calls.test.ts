import { Sandbox } from '../../sandbox/sandbox';
import { findAggregateCalls } from '../calls';
import { pointAt } from '../materialise';
import { unqualifyViews } from '../qualifiers';

describe('aggregate(...) calls in a parse tree', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await Sandbox.open();
  });

  afterAll(() => sandbox.close());

  it('reads positional and named literal arguments, lists written either way', async () => {
    const tree = await sandbox.parse(
      `SELECT * FROM aggregate(['PB_NEW_MEMBERS', 'EB_BUDGET_REV'], ARRAY['304'], ['2025S1'], level := 'commune', boundaries_as_of = '2025-07-01') a JOIN aggregate('PB_NEW_MEMBERS', [304], "from" := '2024', "to" := '2025', grain := 'year') b USING (unit_id)`,
    );
    expect(findAggregateCalls(tree).map((c) => c.input)).toEqual([
      {
        indicators: ['PB_NEW_MEMBERS', 'EB_BUDGET_REV'],
        units: ['304'],
        periods: ['2025S1'],
        level: 'COMMUNE',
        boundariesAsOf: '2025-07-01',
      },
      { indicators: ['PB_NEW_MEMBERS'], units: ['304'], from: '2024', to: '2025', grain: 'YEAR' },
    ]);
  });

  it('finds calls in CTEs and subqueries, and none where there are none', async () => {
    const tree = await sandbox.parse(
      "WITH x AS (SELECT * FROM (SELECT * FROM aggregate(['A'], ['1'], ['2025']))) SELECT * FROM x",
    );
    expect(findAggregateCalls(tree)).toHaveLength(1);
    expect(findAggregateCalls(await sandbox.parse('SELECT * FROM observations'))).toEqual([]);
  });

  it('refuses parameters and expressions as arguments', async () => {
    await expect(
      sandbox.parse("SELECT * FROM aggregate($1, ['304'], ['2025S1'])").then(findAggregateCalls),
    ).rejects.toThrow(/"indicators" must be written as literals/);
    await expect(
      sandbox.parse("SELECT * FROM aggregate(['A'], ['30' || '4'], ['2025S1'])").then(findAggregateCalls),
    ).rejects.toThrow(/"units" must be written as literals/);
    await expect(
      sandbox.parse("SELECT * FROM aggregate(['A'], ['304'], ['2025S1'], ['x'])").then(findAggregateCalls),
    ).rejects.toThrow(/at most 3 positional arguments/);
    await expect(
      sandbox
        .parse("SELECT * FROM aggregate(['A'], ['304'], periods := ['2025S1'], periods := ['2025S2'])")
        .then(findAggregateCalls),
    ).rejects.toThrow(/given twice/);
  });

  it('points a call at its answer table, keeping its alias and column aliases, and writes the query back', async () => {
    const tree = await sandbox.parse(
      "SELECT a.v, u.name FROM aggregate(['A'], ['304'], ['2025S1']) a(i, c, id, p, v) JOIN units u ON u.id = a.id",
    );
    pointAt(findAggregateCalls(tree)[0]!.node, 'lgr_aggregate_0');
    expect(await sandbox.unparse(tree)).toBe(
      'SELECT a.v, u."name" FROM lgr_aggregate_0 AS a(i, c, id, p, v) INNER JOIN units AS u ON ((u.id = a.id))',
    );
    const bare = await sandbox.parse("SELECT aggregate.value FROM aggregate(['A'], ['304'], ['2025S1'])");
    pointAt(findAggregateCalls(bare)[0]!.node, 'lgr_aggregate_0');
    expect(await sandbox.unparse(bare)).toBe('SELECT "aggregate"."value" FROM lgr_aggregate_0 AS "aggregate"');
  });

  it('unqualifies public. and lgr.public. before the views only', async () => {
    const tree = await sandbox.parse(
      'SELECT * FROM public.observations o JOIN lgr.public.units u ON u.id = o.unit_id JOIN lgr_data.facts f ON true',
    );
    expect(unqualifyViews(tree.statements![0]!.node)).toBe(true);
    expect(await sandbox.unparse(tree)).toMatch(
      /FROM observations AS o INNER JOIN units AS u .* INNER JOIN lgr_data.facts AS f/,
    );
  });
});
