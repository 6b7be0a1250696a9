import { SQL_VIEWS, SqlView } from './guard';

/**
 * The sandbox's own copy of the data behind the analysts' views. It lives in the schema `lgr_data`
 * of the sandbox's in-memory database: analysts' SQL may not name a schema, so none of it can reach
 * these tables except through the per-connection views below.
 */
export const DATA_SCHEMA = 'lgr_data';

/** The per-connection table of unit version ids a restricted caller may see. */
export const ALLOWED_UNITS_TABLE = 'temp.main.lgr_allowed_units';

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

const UNIT_COLUMNS = 'u.code AS unit_code, u.name AS unit_name, u.level AS unit_level';
const PERIOD_COLUMNS = 'p.grain, p.start_date AS period_start, p.end_date AS period_end';

/**
 * The body of each view. `restricted` views keep only the rows of units in the caller's scope (the
 * temp table {@link ALLOWED_UNITS_TABLE}); unrestricted ones (admins) keep everything.
 */
export function viewBodies(restricted: boolean): Record<SqlView, string> {
  const allowed = (column: string) => (restricted ? ` AND ${column} IN (SELECT id FROM ${ALLOWED_UNITS_TABLE})` : '');
  const d = DATA_SCHEMA;
  return {
    observations:
      `SELECT f.indicator, f.unit_id, ${UNIT_COLUMNS}, f.period, ${PERIOD_COLUMNS}, f.value, f.updated_at ` +
      `FROM ${d}.facts f JOIN ${d}.units u ON u.id = f.unit_id LEFT JOIN ${d}.periods p ON p.code = f.period ` +
      `WHERE f.value IS NOT NULL${allowed('f.unit_id')}`,
    targets:
      `SELECT f.indicator, f.unit_id, ${UNIT_COLUMNS}, f.period, ${PERIOD_COLUMNS}, f.target, f.updated_at ` +
      `FROM ${d}.facts f JOIN ${d}.units u ON u.id = f.unit_id LEFT JOIN ${d}.periods p ON p.code = f.period ` +
      `WHERE f.target IS NOT NULL${allowed('f.unit_id')}`,
    units: `SELECT * FROM ${d}.units WHERE TRUE${allowed('id')}`,
    unit_tree: `SELECT * FROM ${d}.unit_tree WHERE TRUE${allowed('ancestor_id')}${allowed('descendant_id')}`,
    periods: `SELECT * FROM ${d}.periods`,
    indicators: `SELECT * FROM ${d}.indicators`,
  };
}

/** The statements that set up one connection's views (after {@link ALLOWED_UNITS_TABLE} when restricted). */
export function viewStatements(restricted: boolean): string[] {
  const bodies = viewBodies(restricted);
  return SQL_VIEWS.map((view) => `CREATE OR REPLACE TEMP VIEW ${view} AS ${bodies[view]}`);
}
