import { GraphQLError } from 'graphql';
import { AnalyticsStore } from '../../store';
import { change, identity, realCatalog, U } from '../../__tests__/helpers';
import { staticCatalog } from '@lgr/kit';
import { JsonRowsSink } from '../results';
import { Sandbox } from '../sandbox';
import { AnalystSql } from '../service';

const analyst304 = identity('analyst', ['304']);
const admin = identity('admin');

describe('analysts SQL sandbox', () => {
  let store: AnalyticsStore;
  let sandbox: Sandbox;
  let sql: AnalystSql;
  let version = 1;

  beforeAll(async () => {
    const catalog = realCatalog();
    store = await AnalyticsStore.open(':memory:');
    await store.syncCatalog(catalog);
    await store.applyChanges(
      'party',
      [
        change('PB_NEW_MEMBERS', U.ngoQuyen, '2025S1', 254, null),
        change('PB_NEW_MEMBERS', U.ngoQuyen, '2025', null, 271),
        change('PB_NEW_MEMBERS', U.mayChai, '2025S1', 30),
        change('PB_NEW_MEMBERS', U.leChan, '2025S1', 99),
        change('PB_NEW_MEMBERS', U.haiPhong, '2025S1', 1200),
      ],
      5,
    );
    sandbox = await Sandbox.open();
    sql = new AnalystSql({
      store,
      catalog: staticCatalog(catalog),
      dataVersion: () => version,
      limits: { timeoutMs: 5000, maxRows: 10_000, maxBytes: 10_000_000 },
      sandbox,
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await store.close();
  });

  async function run(text: string, who = admin, limits = {}) {
    const sink = new JsonRowsSink();
    const summary = await sql.run(who, text, sink, limits);
    return { ...summary, columns: sink.columnsInfo, rows: sink.rows };
  }

  async function refusal(text: string, who = admin): Promise<GraphQLError> {
    try {
      await run(text, who);
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      return error as GraphQLError;
    }
    throw new Error(`expected "${text}" to be refused`);
  }

  async function rejected(text: string, message: RegExp): Promise<void> {
    const error = await refusal(text);
    expect(error.extensions.code).toBe('SQL_REJECTED');
    expect(error.message).toMatch(message);
  }

  it('answers a SELECT over the views with typed columns', async () => {
    const r = await run(
      "SELECT unit_code, period, value, count(*) OVER () AS n FROM observations WHERE indicator = 'PB_NEW_MEMBERS' AND unit_code = '304'",
    );
    expect(r.columns).toEqual([
      { name: 'unit_code', type: 'VARCHAR' },
      { name: 'period', type: 'VARCHAR' },
      { name: 'value', type: 'DOUBLE' },
      { name: 'n', type: 'BIGINT' },
    ]);
    expect(r.rows).toEqual([['304', '2025S1', 254, 1]]);
    expect(r.truncated).toBe(false);
  });

  it('keeps values and targets apart and joins periods and units', async () => {
    const r = await run(
      "SELECT t.target, p.grain, u.name FROM targets t JOIN periods p ON p.code = t.period JOIN units u ON u.id = t.unit_id WHERE t.unit_code = '304'",
    );
    expect(r.rows).toEqual([[271, 'YEAR', 'Ngô Quyền']]);
  });

  it('allows CTEs, subqueries and set operations over the views', async () => {
    const r = await run(
      'WITH w AS (SELECT descendant_id FROM unit_tree WHERE ancestor_id = $$304@2000-01-01$$ AND depth = 1) ' +
        "SELECT count(*) AS wards FROM w UNION ALL SELECT count(*) FROM indicators WHERE code = 'PB_NEW_MEMBERS'",
    );
    expect(r.rows).toEqual([[8], [1]]);
  });

  it('accepts semicolons inside strings and a trailing semicolon', async () => {
    const r = await run("SELECT ';' AS a, 'x; DROP TABLE units' AS b;");
    expect(r.rows).toEqual([[';', 'x; DROP TABLE units']]);
  });

  it.each([
    [
      'COPY',
      "COPY (SELECT * FROM observations) TO '/tmp/out.csv'",
      /^COPY statements are not allowed; only a single SELECT over the views observations, targets, units, unit_tree, periods, indicators is/,
    ],
    ['ATTACH', "ATTACH '/tmp/other.duckdb' AS other", /^ATTACH statements are not allowed/],
    ['INSTALL', 'INSTALL httpfs', /^INSTALL statements are not allowed/],
    ['LOAD', 'LOAD parquet', /^LOAD statements are not allowed/],
    ['PRAGMA', 'PRAGMA database_list', /^PRAGMA statements are not allowed/],
    ['SET', 'SET enable_external_access = true', /^SET statements are not allowed/],
    ['CREATE', 'CREATE TABLE x AS SELECT * FROM units', /^CREATE statements are not allowed/],
    ['INSERT', "INSERT INTO units (id) VALUES ('x')", /^INSERT statements are not allowed/],
    ['UPDATE', 'UPDATE observations SET value = 0', /^UPDATE statements are not allowed/],
    ['DELETE', 'DELETE FROM observations', /^DELETE statements are not allowed/],
    ['DROP', 'DROP VIEW observations', /^DROP statements are not allowed/],
    ['EXPORT', "EXPORT DATABASE '/tmp/dump'", /^EXPORT statements are not allowed/],
    ['CALL', 'CALL duckdb_settings()', /^CALL statements are not allowed/],
  ])('rejects %s', async (_kind, text, message) => {
    await rejected(text, message);
  });

  it("rejects read_csv('/etc/passwd')", async () => {
    await rejected("SELECT * FROM read_csv('/etc/passwd')", /Table functions are not allowed \(read_csv\)/);
  });

  it('rejects read_text as a table function and read_* anywhere', async () => {
    await rejected("SELECT * FROM read_text('/etc/passwd')", /Table functions are not allowed \(read_text\)/);
    await rejected("SELECT (SELECT content FROM read_text('/etc/hosts')) AS x", /Table functions are not allowed/);
  });

  it("rejects a replacement scan of a file: SELECT * FROM '/etc/passwd'", async () => {
    await rejected("SELECT * FROM '/etc/passwd'", /Reading files is not allowed \('\/etc\/passwd'\)/);
  });

  it('rejects glob and other table functions', async () => {
    await rejected("SELECT * FROM glob('/etc/*')", /Table functions are not allowed \(glob\)/);
    await rejected('SELECT * FROM range(10)', /Table functions are not allowed \(range\)/);
    await rejected('SELECT * FROM duckdb_tables()', /Table functions are not allowed \(duckdb_tables\)/);
  });

  it('rejects a second statement after a SELECT', async () => {
    await rejected('SELECT 1; DROP TABLE units', /^Only one statement may be sent; found 2 \(SELECT, DROP\)/);
  });

  it('rejects a second statement hidden behind comments', async () => {
    await rejected('SELECT 1 /* harmless; */ ; DROP TABLE units -- ;', /^Only one statement may be sent; found 2/);
    await rejected('SELECT 1 -- comment ;\n; DELETE FROM observations', /^Only one statement may be sent; found 2/);
  });

  it('rejects a second statement after a string holding a semicolon', async () => {
    await rejected("SELECT 'a;b'; DROP TABLE units", /^Only one statement may be sent; found 2 \(SELECT, DROP\)/);
    await rejected('SELECT $$;$$; SELECT 2', /^Only one statement may be sent; found 2 \(SELECT, SELECT\)/);
  });

  it('rejects references to base tables and hidden tables', async () => {
    await rejected('SELECT * FROM fact', /Unknown table "fact": only a single SELECT over the views/);
    await rejected('SELECT * FROM facts', /Unknown table "facts"/);
    await rejected('SELECT * FROM lgr_allowed_units', /Unknown table "lgr_allowed_units"/);
    await rejected(
      'SELECT * FROM information_schema.tables',
      /Schema- or catalogue-qualified names are not allowed \(information_schema.tables\)/,
    );
    await rejected('SELECT * FROM duckdb_settings', /Unknown table "duckdb_settings"/);
  });

  it('rejects schema- and catalogue-qualified views', async () => {
    await rejected('SELECT * FROM main.units', /Schema- or catalogue-qualified names are not allowed \(main.units\)/);
    await rejected(
      'SELECT * FROM temp.main.observations',
      /qualified names are not allowed \(temp.main.observations\)/,
    );
    await rejected('SELECT * FROM lgr_data.facts', /qualified names are not allowed \(lgr_data.facts\)/);
  });

  it('rejects a CTE name used outside the query that defines it', async () => {
    await rejected('SELECT * FROM (WITH fact AS (SELECT 1) SELECT * FROM fact) s, fact', /Unknown table "fact"/);
  });

  it('rejects getenv and current_setting', async () => {
    await rejected("SELECT getenv('HOME')", /The function getenv\(\) is not allowed/);
    await rejected(
      "SELECT current_setting('enable_external_access')",
      /The function current_setting\(\) is not allowed/,
    );
  });

  it('rejects text that does not parse, naming the problem', async () => {
    await rejected('SELEC 1', /^SELEC statements are not allowed|could not be parsed/);
    await rejected('SELECT FROM WHERE', /could not be parsed/);
  });

  it('reports a query DuckDB cannot bind as a rejection', async () => {
    await rejected('SELECT no_such_column FROM units', /DuckDB refused the query: Binder Error/);
  });

  it('interrupts a runaway query at the time limit and stays usable', async () => {
    const started = Date.now();
    const error = await (async () => {
      try {
        await run('SELECT count(*) FROM units a, units b, units c', admin, { timeoutMs: 300 });
      } catch (e) {
        return e as GraphQLError;
      }
      throw new Error('the cross join finished');
    })();
    expect(error.extensions.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/longer than 300 ms and was stopped/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await run('SELECT 42 AS x')).rows).toEqual([[42]]);
  });

  it('caps the rows and says the answer is truncated', async () => {
    const r = await run('SELECT id FROM units ORDER BY id', admin, { maxRows: 5 });
    expect(r.rows).toHaveLength(5);
    expect(r.rowCount).toBe(5);
    expect(r.truncated).toBe(true);
    const exact = await run("SELECT id FROM units WHERE code = '304'", admin, { maxRows: 1 });
    expect(exact).toMatchObject({ rowCount: 1, truncated: false });
  });

  it("shows an analyst scoped to 304 only 304's subtree and the units that took over its territory", async () => {
    const r = await run('SELECT unit_code, value FROM observations ORDER BY unit_code', analyst304);
    expect(r.rows).toEqual([
      ['11329', 30],
      ['304', 254],
    ]);
    const units = await run('SELECT DISTINCT level FROM units ORDER BY level', analyst304);
    expect(units.rows).toEqual([['COMMUNE'], ['DISTRICT']]);
    const count = await run("SELECT count(*) FROM units WHERE code IN ('31', '305', '11329')", analyst304);
    expect(count.rows).toEqual([[2]]);
    const tree = await run("SELECT count(*) FROM unit_tree WHERE ancestor_id = '31@2000-01-01'", analyst304);
    expect(tree.rows).toEqual([[0]]);
  });

  it('shows a caller limited to some indicators only their figures', async () => {
    await store.applyChanges('party', [change('PB_BADGES', U.ngoQuyen, '2025S1', 7)], 7);
    version += 1;
    const limited = { ...analyst304, indicators: ['PB_BADGES'] };
    const r = await run('SELECT DISTINCT indicator FROM observations', limited);
    expect(r.rows).toEqual([['PB_BADGES']]);
    const all = await run('SELECT DISTINCT indicator FROM observations ORDER BY 1', analyst304);
    expect(all.rows).toEqual([['PB_BADGES'], ['PB_NEW_MEMBERS']]);
  });

  it('refuses the anonymous public role', async () => {
    const error = await refusal('SELECT 1', {
      sub: 'anonymous',
      role: 'public',
      units: [],
      indicators: ['PB_NEW_MEMBERS'],
    });
    expect(error.extensions.code).toBe('FORBIDDEN');
  });

  it('shows an admin every unit', async () => {
    const r = await run(
      "SELECT unit_code, value FROM observations WHERE indicator = 'PB_NEW_MEMBERS' ORDER BY unit_code",
      admin,
    );
    expect(r.rows.map((row) => row[0])).toEqual(['11329', '304', '305', '31']);
  });

  it('refuses viewers and editors, even scoped ones', async () => {
    for (const who of [identity('viewer', ['304']), identity('editor', ['304']), identity('viewer')]) {
      const error = await refusal('SELECT 1', who);
      expect(error.extensions.code).toBe('FORBIDDEN');
    }
  });

  it('sees new facts after the store changed', async () => {
    await store.applyChanges('party', [change('PB_NEW_MEMBERS', U.vanMy, '2025S1', 17)], 6);
    version += 1;
    const r = await run("SELECT value FROM observations WHERE unit_code = '11335'", analyst304);
    expect(r.rows).toEqual([[17]]);
  });

  it('runs in an instance with file access off and its configuration locked', async () => {
    expect(await sandbox.settings()).toEqual({
      enable_external_access: 'false',
      lock_configuration: 'true',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allowed_directories: '[]',
    });
  });
});
