import { SQL_VIEWS, SqlView } from './guard';

/**
 * The sandbox's own copy of the data behind the analysts' views. It lives in the schema `lgr_data`
 * of the sandbox's in-memory database: analysts' SQL may not name a schema, so none of it can reach
 * these tables except through the per-connection views below.
 */
export const DATA_SCHEMA = 'lgr_data';

/** The per-connection table of unit version ids a restricted caller may see. */
export const ALLOWED_UNITS_TABLE = 'temp.main.lgr_allowed_units';
/** The per-connection table of indicator codes a caller limited to some indicators may see. */
export const ALLOWED_INDICATORS_TABLE = 'temp.main.lgr_allowed_indicators';

/** Which restrictions a caller's views carry. */
export interface ViewRestrictions {
  /** Only the units listed in {@link ALLOWED_UNITS_TABLE}. */
  readonly units: boolean;
  /** Only the figures of the indicators listed in {@link ALLOWED_INDICATORS_TABLE}. */
  readonly indicators: boolean;
}

/** Base tables of the sandbox, with exactly the column types the copies are appended with. */
export const DATA_TABLES = {
  facts: [
    ['indicator', 'VARCHAR'],
    ['unit_id', 'VARCHAR'],
    ['period', 'VARCHAR'],
    ['value', 'DOUBLE'],
    ['target', 'DOUBLE'],
    ['updated_at', 'TIMESTAMP'],
  ],
  units: [
    ['id', 'VARCHAR'],
    ['code', 'VARCHAR'],
    ['name', 'VARCHAR'],
    ['full_name', 'VARCHAR'],
    ['name_en', 'VARCHAR'],
    ['level', 'VARCHAR'],
    ['kind', 'VARCHAR'],
    ['parent_id', 'VARCHAR'],
    ['valid_from', 'DATE'],
    ['valid_to', 'DATE'],
  ],
  unit_tree: [
    ['ancestor_id', 'VARCHAR'],
    ['descendant_id', 'VARCHAR'],
    ['depth', 'INTEGER'],
  ],
  periods: [
    ['code', 'VARCHAR'],
    ['grain', 'VARCHAR'],
    ['start_date', 'DATE'],
    ['end_date', 'DATE'],
    ['year', 'INTEGER'],
    ['half', 'INTEGER'],
    ['quarter', 'INTEGER'],
    ['month', 'INTEGER'],
    ['parent', 'VARCHAR'],
    ['term', 'VARCHAR'],
  ],
  indicators: [
    ['code', 'VARCHAR'],
    ['name_vi', 'VARCHAR'],
    ['name_en', 'VARCHAR'],
    ['domain', 'VARCHAR'],
    ['measure', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['numerator', 'VARCHAR'],
    ['denominator', 'VARCHAR'],
    ['target_grain', 'VARCHAR'],
  ],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;

export type DataTable = keyof typeof DATA_TABLES;

/** `CREATE OR REPLACE TABLE lgr_data.<table> (...)` for one base table. */
export function createDataTableSql(table: DataTable): string {
  const columns = DATA_TABLES[table].map(([name, type]) => `${name} ${type}`).join(', ');
  return `CREATE OR REPLACE TABLE ${DATA_SCHEMA}.${table} (${columns})`;
}

/**
 * A code can name two territories (codes are reused after the 2025 reform), so every figure carries
 * its unit version: the id (`code@valid_from`), the dates it was valid, and a label that is distinct
 * per version, for BI tools that group by a text column.
 */
const UNIT_COLUMNS =
  'u.code AS unit_code, u.name AS unit_name, u.level AS unit_level, u.valid_from AS unit_valid_from, u.valid_to AS unit_valid_to, ' +
  "u.name || ' (' || u.code || ', ' || strftime(u.valid_from, '%Y-%m-%d') || ' - ' || coalesce(strftime(u.valid_to, '%Y-%m-%d'), '') || ')' AS unit_label";
const PERIOD_COLUMNS = 'p.grain, p.start_date AS period_start, p.end_date AS period_end';

/**
 * The body of each view. Views restricted by unit keep only the rows of units in the caller's scope
 * (the temp table {@link ALLOWED_UNITS_TABLE}), views restricted by indicator only the figures of the
 * caller's indicators; unrestricted ones (admins) keep everything. Every value is bound through those
 * temp tables, never written into the SQL.
 */
export function viewBodies(restrict: ViewRestrictions): Record<SqlView, string> {
  const units = (column: string) => (restrict.units ? ` AND ${column} IN (SELECT id FROM ${ALLOWED_UNITS_TABLE})` : '');
  const indicators = (column: string) =>
    restrict.indicators ? ` AND ${column} IN (SELECT code FROM ${ALLOWED_INDICATORS_TABLE})` : '';
  const d = DATA_SCHEMA;
  return {
    observations:
      `SELECT f.indicator, f.unit_id, ${UNIT_COLUMNS}, f.period, ${PERIOD_COLUMNS}, f.value, f.updated_at ` +
      `FROM ${d}.facts f JOIN ${d}.units u ON u.id = f.unit_id LEFT JOIN ${d}.periods p ON p.code = f.period ` +
      `WHERE f.value IS NOT NULL${units('f.unit_id')}${indicators('f.indicator')}`,
    targets:
      `SELECT f.indicator, f.unit_id, ${UNIT_COLUMNS}, f.period, ${PERIOD_COLUMNS}, f.target, f.updated_at ` +
      `FROM ${d}.facts f JOIN ${d}.units u ON u.id = f.unit_id LEFT JOIN ${d}.periods p ON p.code = f.period ` +
      `WHERE f.target IS NOT NULL${units('f.unit_id')}${indicators('f.indicator')}`,
    units: `SELECT * FROM ${d}.units WHERE TRUE${units('id')}`,
    unit_tree: `SELECT * FROM ${d}.unit_tree WHERE TRUE${units('ancestor_id')}${units('descendant_id')}`,
    periods: `SELECT * FROM ${d}.periods`,
    indicators: `SELECT * FROM ${d}.indicators`,
  };
}

/** The statements that set up one connection's views (after the temp tables of its restrictions). */
export function viewStatements(restrict: ViewRestrictions): string[] {
  const bodies = viewBodies(restrict);
  return SQL_VIEWS.map((view) => `CREATE OR REPLACE TEMP VIEW ${view} AS ${bodies[view]}`);
}
