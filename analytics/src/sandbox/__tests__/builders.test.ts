import { periodRows, periodYears, storeFactsStatement, unitTreeRows } from '../data';
import { isDeniedFunction, SQL_VIEWS } from '../guard';
import { jsonValue } from '../results';
import { statementKeywords } from '../statements';
import { createDataTableSql, viewBodies, viewStatements } from '../views';
import { DuckDBTypeId } from '@duckdb/node-api';
import { realCatalog, U } from '../../__tests__/helpers';

describe('SQL builders of the sandbox', () => {
  it('creates base tables in their own schema', () => {
    expect(createDataTableSql('unit_tree')).toBe(
      'CREATE OR REPLACE TABLE lgr_data.unit_tree (ancestor_id VARCHAR, descendant_id VARCHAR, depth INTEGER)',
    );
  });

  it('defines one temp view per documented view', () => {
    const statements = viewStatements({ units: true, indicators: false });
    expect(statements).toHaveLength(SQL_VIEWS.length);
    SQL_VIEWS.forEach((view, i) =>
      expect(statements[i]!.startsWith(`CREATE OR REPLACE TEMP VIEW ${view} AS SELECT`)).toBe(true),
    );
  });

  it("restricts the unit-bearing views to the caller's units, and only those", () => {
    const restricted = viewBodies({ units: true, indicators: false });
    const open = viewBodies({ units: false, indicators: false });
    for (const view of ['observations', 'targets', 'units'] as const) {
      expect(restricted[view]).toContain('IN (SELECT id FROM temp.main.lgr_allowed_units)');
      expect(open[view]).not.toContain('lgr_allowed_units');
    }
    expect(restricted.unit_tree.match(/lgr_allowed_units/g)).toHaveLength(2);
    expect(restricted.periods).toBe(open.periods);
    expect(restricted.indicators).toBe(open.indicators);
    expect(Object.values(restricted).join(' ')).not.toContain('lgr_allowed_indicators');
  });

  it("restricts figures to the caller's indicators when the identity names some", () => {
    const byIndicator = viewBodies({ units: false, indicators: true });
    expect(byIndicator.observations).toContain(
      'AND f.indicator IN (SELECT code FROM temp.main.lgr_allowed_indicators)',
    );
    expect(byIndicator.targets).toContain('AND f.indicator IN (SELECT code FROM temp.main.lgr_allowed_indicators)');
    expect(byIndicator.units).not.toContain('lgr_allowed');
  });

  it('copies only facts that hold a value or a target, with the sandbox column types', () => {
    const s = storeFactsStatement();
    expect(s.params).toEqual([]);
    expect(s.sql).toMatch(
      /CAST\(updated_at AS TIMESTAMP\) AS updated_at\s+FROM fact WHERE value IS NOT NULL OR target IS NOT NULL/,
    );
  });

  it('lists a unit with itself and every ancestor in unit_tree', () => {
    const rows = unitTreeRows(realCatalog()).filter((r) => r[1] === U.mayChai);
    expect(rows).toEqual([
      [U.mayChai, U.mayChai, 0],
      [U.ngoQuyen, U.mayChai, 1],
      [U.haiPhong, U.mayChai, 2],
    ]);
  });

  it('builds the calendar of periods with parents and terms', () => {
    const rows = periodRows(2025, 2025);
    const byCode = new Map(rows.map((r) => [r[0], r]));
    expect(rows.filter((r) => r[1] !== 'TERM')).toHaveLength(1 + 2 + 4 + 12);
    expect(byCode.get('2025S1')).toEqual([
      '2025S1',
      'SIX_MONTH',
      '2025-01-01',
      '2025-06-30',
      2025,
      1,
      null,
      null,
      '2025',
      '2020-2025',
    ]);
    expect(byCode.get('202507')).toEqual([
      '202507',
      'MONTH',
      '2025-07-01',
      '2025-07-31',
      2025,
      2,
      3,
      7,
      '2025Q3',
      '2025-2030',
    ]);
    expect(byCode.get('2025')![9]).toBeNull();
    expect(byCode.get('2020-2025')).toEqual([
      '2020-2025',
      'TERM',
      '2020-07-01',
      '2025-06-30',
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('sizes the calendar to the recorded periods', () => {
    expect(periodYears(['2012', '2020-2025', 'junk'], new Date('2025-07-15'))).toEqual({
      fromYear: 2012,
      toYear: 2026,
    });
  });

  it('finds the statements of a script, skipping comments, strings and quoted names', () => {
    expect(statementKeywords("select ';' ; /* ; */ drop table x -- ;\n")).toEqual(['SELECT', 'DROP']);
    expect(statementKeywords('SELECT "a;b" FROM t; ;')).toEqual(['SELECT']);
    expect(statementKeywords("SELECT $tag$ ; $tag$; copy t to 'x'")).toEqual(['SELECT', 'COPY']);
    expect(statementKeywords('/* /* nested ; */ ; */ SELECT 1')).toEqual(['SELECT']);
    expect(statementKeywords('  (SELECT 1)')).toEqual(['(']);
  });

  it('denies file, configuration and catalogue functions by name and prefix', () => {
    for (const name of [
      'read_csv',
      'READ_PARQUET',
      'glob',
      'getenv',
      'current_setting',
      'duckdb_settings',
      'pg_get_viewdef',
      'query_table',
    ]) {
      expect(isDeniedFunction(name)).toBe(true);
    }
    for (const name of ['sum', 'round', 'strftime', 'list_sum', 'regexp_matches'])
      expect(isDeniedFunction(name)).toBe(false);
  });

  it('turns wide integers and decimals into JSON numbers when that is exact', () => {
    expect(jsonValue('42', DuckDBTypeId.BIGINT)).toBe(42);
    expect(jsonValue('12345678901234567890', DuckDBTypeId.HUGEINT)).toBe('12345678901234567890');
    expect(jsonValue('1.25', DuckDBTypeId.DECIMAL)).toBe(1.25);
    expect(jsonValue('42', DuckDBTypeId.VARCHAR)).toBe('42');
  });
});
