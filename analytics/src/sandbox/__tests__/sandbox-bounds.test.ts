import { GraphQLError } from 'graphql';
import { staticCatalog } from '@lgr/kit';
import { AnalyticsStore } from '../../store';
import { change, identity, realCatalog, U } from '../../__tests__/helpers';
import { BOUNDED_FUNCTIONS, boundedFunctionStatements, MAX_LIST_ELEMENTS, MAX_VALUE_CHARS } from '../bounded-functions';
import { JsonRowsSink } from '../results';
import { Sandbox } from '../sandbox';
import { FairScheduler, JobAbortedError, QueueFullError } from '../scheduler';
import { AnalystSql } from '../service';

const admin = identity('admin');

describe('bounded functions of the SQL sandbox', () => {
  it('installs one macro per bounded function, each calling the built-in only below the limit', () => {
    const statements = boundedFunctionStatements();
    expect(statements).toHaveLength(BOUNDED_FUNCTIONS.length);
    const repeat = statements.find((s) => s.startsWith('CREATE OR REPLACE MACRO main."repeat"'))!;
    expect(repeat).toContain(`> ${MAX_VALUE_CHARS} THEN error(`);
    expect(repeat).toContain('ELSE system.main."repeat"(s, n) END');
    expect(statements.find((s) => s.includes('main."range"'))).toContain(`> ${MAX_LIST_ELEMENTS}`);
  });
});

describe('FairScheduler', () => {
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('runs one job per caller at a time and lets callers take turns', async () => {
    const slots = new FairScheduler(2);
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const job = (caller: string, name: string) =>
      slots.run(caller, async () => {
        order.push(name);
        await new Promise<void>((r) => releases.push(r));
      });
    const all = [job('a', 'a1'), job('a', 'a2'), job('a', 'a3'), job('b', 'b1'), job('c', 'c1')];
    await tick();
    // a1 runs; a2 waits for a1 although a slot is free; b1 takes the second slot.
    expect(order).toEqual(['a1', 'b1']);
    releases.shift()!();
    await tick();
    // a's turn is over: c, who has not had one, goes before a2.
    expect(order).toEqual(['a1', 'b1', 'c1']);
    releases.shift()!();
    await tick();
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2']);
    while (releases.length) {
      releases.shift()!();
      await tick();
    }
    await Promise.all(all);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it('refuses a caller with too many jobs waiting and drops a waiting job whose caller went away', async () => {
    const slots = new FairScheduler(1, 1);
    let release!: () => void;
    const first = slots.run('a', () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const second = slots.run('a', async () => 'ran', controller.signal);
    await expect(slots.run('a', async () => 'ran')).rejects.toBeInstanceOf(QueueFullError);
    controller.abort();
    await expect(second).rejects.toBeInstanceOf(JobAbortedError);
    expect(slots.stats()).toEqual({ running: 1, waiting: 0 });
    release();
    await first;
    expect(await slots.run('a', async () => 'ran')).toBe('ran');
  });
});

describe('the SQL sandbox bounds memory, answer size and time for every caller', () => {
  let store: AnalyticsStore;
  let sandbox: Sandbox;
  let sql: AnalystSql;

  beforeAll(async () => {
    const catalog = realCatalog();
    store = await AnalyticsStore.open(':memory:');
    await store.syncCatalog(catalog);
    await store.applyChanges('party', [change('PB_NEW_MEMBERS', U.ngoQuyen, '2025S1', 254, null)], 1);
    sandbox = await Sandbox.open({ memoryLimit: '256MB' });
    sql = new AnalystSql({
      store,
      catalog: staticCatalog(catalog),
      dataVersion: () => 1,
      limits: { timeoutMs: 5000, maxRows: 10_000, maxBytes: 10_000_000 },
      sandbox,
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await store.close();
  });

  async function run(text: string, limits = {}, signal?: AbortSignal) {
    const sink = new JsonRowsSink();
    const summary = await sql.run(admin, text, sink, limits, signal ? { signal } : {});
    return { ...summary, rows: sink.rows };
  }

  async function refusal(text: string): Promise<GraphQLError> {
    try {
      await run(text);
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      return error as GraphQLError;
    }
    throw new Error(`expected "${text}" to be refused`);
  }

  it.each([
    ['SELECT len(range(20000000))', /range\(\) would build a list/],
    ["SELECT length(repeat('x', 1000000000))", /repeat\(\) would build a value/],
    ["SELECT length(repeat('x', (SELECT 1000000000)))", /repeat\(\) would build a value/],
    ["SELECT length(lpad('x', 1000000000, 'y'))", /lpad\(\) would build/],
    ['SELECT len(list_resize([1], 1000000000))', /list_resize\(\) would build/],
    [
      "SELECT len(generate_series(TIMESTAMP '2000-01-01', TIMESTAMP '2100-01-01', INTERVAL 1 SECOND))",
      /generate_series\(\) would build a list .* other than numbers/,
    ],
    [
      "WITH RECURSIVE t(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM t WHERE n < 40) SELECT max(length(s)) FROM t",
      /\|\|\(\) would build/,
    ],
    ["SELECT length(replace(repeat('x', 10000), 'x', repeat('y', 100)))", /replace\(\) would build/],
    ["SELECT length(regexp_replace(repeat('x', 10000), 'x', repeat('y', 100), 'g'))", /regexp_replace\(\) would build/],
    ["SELECT length(concat(repeat('x', 60000), repeat('y', 60000)))", /concat\(\) would build/],
    ['SELECT list_reduce([1, 2], (a, x) -> a || a)', /Lambda functions/],
    ['SELECT [x for x in [1, 2]]', /Lambda functions/],
    ["SELECT printf('%1000000000d', 1)", /format fields may be at most 999 wide/],
    ['SELECT format(name, 1) FROM units', /constant format string/],
  ])('refuses %s with a clear message, at once', async (text, message) => {
    const error = await refusal(text);
    expect(error.extensions.code).toBe('SQL_REJECTED');
    expect(error.message).toMatch(message);
  });

  it('keeps the ordinary uses of those functions', async () => {
    const r = await run(
      "SELECT repeat('ab', 2), lpad('7', 3, '0'), range(3), 'a' || 'b' || 1, concat('x', NULL, 'y'), concat_ws('-', 'a', 'b'), " +
        "replace('hello', 'l', 'L'), regexp_replace('a b', ' ', '_', 'g'), array_to_string([1, 2], ','), printf('%05.1f', 2.5), len(list_resize([1], 3))",
    );
    expect(r.rows).toEqual([['abab', '007', ['0', '1', '2'], 'ab1', 'xy', 'a-b', 'heLLo', 'a_b', '1,2', '002.5', 3]]);
  });

  it('caps an answer in bytes, not only in rows, and says it was truncated', async () => {
    const r = await run("SELECT repeat('x', 60000) AS big FROM units LIMIT 60", { maxBytes: 1_000_000 });
    expect(r.truncated).toBe(true);
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.rows.length).toBeLessThan(60);
    expect(JSON.stringify(r.rows).length).toBeLessThanOrEqual(1_000_000);
    const small = await run("SELECT repeat('x', 10) FROM units LIMIT 60", { maxBytes: 1_000_000 });
    expect(small).toMatchObject({ rowCount: 60, truncated: false });
  });

  it('interrupts a running query when its caller goes away', async () => {
    const controller = new AbortController();
    const running = run(
      'SELECT count(*) FROM unit_tree a, unit_tree b, unit_tree c',
      { timeoutMs: 60_000 },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toMatchObject({
      extensions: { code: 'TIMEOUT' },
      message: expect.stringMatching(/cancelled because its caller went away/),
    });
    expect((await run('SELECT 42')).rows).toEqual([[42]]);
  });
});
