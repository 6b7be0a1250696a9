import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';

/** One SQL statement and the values bound to its `$n` parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: DuckDBValue[];
  /** The parameters' types where DuckDB cannot infer them from the values (an empty list). */
  readonly types?: DuckDBType[];
}

/** The column types the store's tables and the engine's plan tables use. */
export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'BIGINT' | 'BOOLEAN' | 'DATE';

/** A table's columns in order, as the appender fills them. */
export type Columns = readonly (readonly [name: string, type: ColumnType])[];

/** A statement with its parameters, for the builders below. */
export function statement(sql: string, params: DuckDBValue[] = [], types?: DuckDBType[]): SqlStatement {
  return types ? { sql, params, types } : { sql, params };
}

/**
 * Binds values for a statement built piece by piece: `bind` adds a value with its type and returns
 * its placeholder; `statement` makes the statement with every value bound so far.
 */
export function binder(): {
  bind: (value: DuckDBValue, type: DuckDBType) => string;
  statement: (sql: string) => SqlStatement;
} {
  const params: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  return {
    bind: (value, type) => {
      params.push(value);
      types.push(type);
      return `$${params.length}`;
    },
    statement: (sql) => statement(sql, params, types),
  };
}

/** Column definitions for a CREATE TABLE. */
export function columnList(columns: Columns): string {
  return columns.map(([name, type]) => `${name} ${type}`).join(', ');
}

/** The store's key-value table: the catalogue digest and the schema version. */
export const META_TABLE = 'store_meta';
/** One row per fact (indicator, unit version, period): the latest full state from a feed. */
export const FACT_TABLE = 'fact';
/** One row per feed: the last sequence number applied. */
export const CURSOR_TABLE = 'feed_cursor';
/** Every version of every administrative unit. */
export const UNIT_TABLE = 'unit_version';
/** Ancestor-descendant pairs of the unit hierarchy, each unit with itself at distance 0. */
export const CLOSURE_TABLE = 'unit_closure';
/** The reorganisation's lineage links between old and new leaf units. */
export const LINEAGE_TABLE = 'unit_lineage';
/** DESIGN 3 rule 4: the older units a unit's figures before it existed are made of. */
export const CONTRIBUTION_TABLE = 'unit_contribution';
/** Rules 1-4 for monthly FLOW figures as weighted sums: each unit's month sources (`monthSources`). */
export const MONTH_SOURCE_TABLE = 'unit_month_source';
/** Every calendar period and congress term, for analysts. */
export const CALENDAR_TABLE = 'period_calendar';
/** The indicator catalogue, for analysts. */
export const INDICATOR_TABLE = 'indicator_def';

/** Columns of {@link UNIT_TABLE} (README.md describes each). */
export const UNIT_COLUMNS: Columns = [
  ['uid', 'INTEGER'],
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
  ['depth', 'INTEGER'],
  ['stage', 'INTEGER'],
  ['valid_from_month', 'INTEGER'],
  ['first_whole_month', 'INTEGER'],
];

/** Columns of {@link CLOSURE_TABLE}. */
export const CLOSURE_COLUMNS: Columns = [
  ['ancestor_id', 'VARCHAR'],
  ['descendant_id', 'VARCHAR'],
  ['distance', 'INTEGER'],
  ['ancestor_uid', 'INTEGER'],
  ['descendant_uid', 'INTEGER'],
];

/** Columns of {@link LINEAGE_TABLE}. */
export const LINEAGE_COLUMNS: Columns = [
  ['from_id', 'VARCHAR'],
  ['to_id', 'VARCHAR'],
  ['share', 'DOUBLE'],
];

/** Columns of {@link CONTRIBUTION_TABLE}. */
export const CONTRIBUTION_COLUMNS: Columns = [
  ['unit_id', 'VARCHAR'],
  ['contributor_id', 'VARCHAR'],
  ['kind', 'VARCHAR'],
  ['share', 'DOUBLE'],
  ['unit_uid', 'INTEGER'],
  ['contributor_uid', 'INTEGER'],
];

/** Columns of {@link MONTH_SOURCE_TABLE}. */
export const MONTH_SOURCE_COLUMNS: Columns = [
  ['unit_uid', 'INTEGER'],
  ['source_id', 'VARCHAR'],
  ['from_month', 'INTEGER'],
  ['to_month', 'INTEGER'],
  ['share', 'DOUBLE'],
  ['kind', 'VARCHAR'],
];

/** Columns of {@link CALENDAR_TABLE}. */
export const CALENDAR_COLUMNS: Columns = [
  ['code', 'VARCHAR'],
  ['grain', 'VARCHAR'],
  ['start_month', 'INTEGER'],
  ['end_month', 'INTEGER'],
  ['start_date', 'DATE'],
  ['end_date', 'DATE'],
  ['year', 'INTEGER'],
  ['term', 'VARCHAR'],
];

/** Columns of {@link INDICATOR_TABLE}. */
export const INDICATOR_COLUMNS: Columns = [
  ['code', 'VARCHAR'],
  ['name_vi', 'VARCHAR'],
  ['name_en', 'VARCHAR'],
  ['domain', 'VARCHAR'],
  ['measure', 'VARCHAR'],
  ['rule', 'VARCHAR'],
  ['numerator', 'VARCHAR'],
  ['denominator', 'VARCHAR'],
  ['target_grain', 'VARCHAR'],
];

/** The columns of a feed change as it is staged before the upsert. */
export const STAGING_COLUMNS: Columns = [
  ['indicator', 'VARCHAR'],
  ['unit_id', 'VARCHAR'],
  ['period', 'VARCHAR'],
  ['grain', 'VARCHAR'],
  ['start_month', 'INTEGER'],
  ['end_month', 'INTEGER'],
  ['value', 'DOUBLE'],
  ['target', 'DOUBLE'],
  ['seq', 'BIGINT'],
  ['updated_at', 'VARCHAR'],
];

/** The temporary table a batch of feed changes is appended to before the upsert. */
export const STAGING_TABLE = 'fact_staging';

/**
 * The layout version of the tables derived from the catalogue. A store written with another version
 * has those tables dropped and rebuilt by the next `syncCatalog`; facts and cursors are kept.
 */
export const CATALOG_LAYOUT_VERSION = '3';

/** Drops the catalogue-derived tables (when their layout changed) and forgets the catalogue digest. */
export function dropCatalogTablesStatements(): SqlStatement[] {
  return [
    ...[UNIT_TABLE, CLOSURE_TABLE, LINEAGE_TABLE, CONTRIBUTION_TABLE, MONTH_SOURCE_TABLE].map((t) =>
      statement(`DROP TABLE IF EXISTS ${t}`),
    ),
    statement(`DELETE FROM ${META_TABLE} WHERE key = 'catalog_digest'`),
  ];
}

/** The store's tables, created when missing; running them again changes nothing. */
export function createSchemaStatements(): SqlStatement[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${FACT_TABLE} (
      indicator VARCHAR NOT NULL,
      unit_id VARCHAR NOT NULL,
      period VARCHAR NOT NULL,
      grain VARCHAR,
      start_month INTEGER,
      end_month INTEGER,
      value DOUBLE,
      target DOUBLE,
      source VARCHAR NOT NULL,
      seq BIGINT NOT NULL,
      updated_at TIMESTAMP,
      PRIMARY KEY (indicator, unit_id, period))`,
    `CREATE TABLE IF NOT EXISTS ${CURSOR_TABLE} (source VARCHAR PRIMARY KEY, seq BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${UNIT_TABLE} (${columnList(UNIT_COLUMNS)})`,
    `CREATE TABLE IF NOT EXISTS ${CLOSURE_TABLE} (${columnList(CLOSURE_COLUMNS)})`,
    `CREATE TABLE IF NOT EXISTS ${LINEAGE_TABLE} (${columnList(LINEAGE_COLUMNS)})`,
    `CREATE TABLE IF NOT EXISTS ${CONTRIBUTION_TABLE} (${columnList(CONTRIBUTION_COLUMNS)})`,
    `CREATE TABLE IF NOT EXISTS ${MONTH_SOURCE_TABLE} (${columnList(MONTH_SOURCE_COLUMNS)})`,
    `CREATE TABLE IF NOT EXISTS ${CALENDAR_TABLE} (${columnList(CALENDAR_COLUMNS)})`,
    `CREATE TABLE IF NOT EXISTS ${INDICATOR_TABLE} (${columnList(INDICATOR_COLUMNS)})`,
  ].map((sql) => statement(sql));
}

/** The per-connection table feed changes are appended to before they are merged into the facts. */
export function createStagingStatement(): SqlStatement {
  return statement(`CREATE OR REPLACE TEMP TABLE ${STAGING_TABLE} (${columnList(STAGING_COLUMNS)})`);
}

/** Empties the staging table. */
export function clearStagingStatement(): SqlStatement {
  return statement(`DELETE FROM ${STAGING_TABLE}`);
}

/**
 * Merges the staged changes into the facts. Within a batch the latest change of a key wins; a change
 * replaces a stored fact only when it is newer (a higher sequence number from the same source), so
 * replaying a batch, or an older one, changes nothing. A change with neither value nor target is
 * kept as a row with both null, so that an older replay cannot bring the deleted figure back.
 */
export function upsertFactsStatement(source: string): SqlStatement {
  return statement(
    `INSERT INTO ${FACT_TABLE} (indicator, unit_id, period, grain, start_month, end_month, value, target, source, seq, updated_at)
    SELECT indicator, unit_id, period, grain, start_month, end_month, value, target, $1, seq, TRY_CAST(updated_at AS TIMESTAMP)
    FROM ${STAGING_TABLE}
    QUALIFY row_number() OVER (PARTITION BY indicator, unit_id, period ORDER BY seq DESC) = 1
    ON CONFLICT (indicator, unit_id, period) DO UPDATE SET
      grain = excluded.grain, start_month = excluded.start_month, end_month = excluded.end_month,
      value = excluded.value, target = excluded.target, source = excluded.source, seq = excluded.seq,
      updated_at = excluded.updated_at
    WHERE excluded.seq > ${FACT_TABLE}.seq OR excluded.source <> ${FACT_TABLE}.source`,
    [source],
  );
}

/** Moves a source's cursor forward to `lastSeq`; a replayed older batch never moves it back. */
export function setCursorStatement(source: string, lastSeq: number): SqlStatement {
  return statement(
    `INSERT INTO ${CURSOR_TABLE} (source, seq, updated_at) VALUES ($1, $2, now()::TIMESTAMP)
    ON CONFLICT (source) DO UPDATE SET seq = greatest(${CURSOR_TABLE}.seq, excluded.seq), updated_at = excluded.updated_at`,
    [source, BigInt(Math.trunc(lastSeq))],
  );
}

/** A source's cursor (no row when unknown). */
export function readCursorStatement(source: string): SqlStatement {
  return statement(`SELECT seq FROM ${CURSOR_TABLE} WHERE source = $1`, [source]);
}

/**
 * The indicators with a value that leaves' months summed (`monthSources`) do not account for: a
 * value of a catalogue unit for a period longer than a month, at a unit with children, or for a
 * month before its unit existed. Over the stored facts, or over a staged batch.
 */
export function irregularIndicatorsStatement(table: typeof FACT_TABLE | typeof STAGING_TABLE): SqlStatement {
  return statement(
    `SELECT DISTINCT f.indicator FROM ${table} f JOIN ${UNIT_TABLE} u ON u.id = f.unit_id
    WHERE f.value IS NOT NULL AND f.grain IS NOT NULL
      AND (f.start_month <> f.end_month OR f.start_month < u.valid_from_month
        OR u.id IN (SELECT parent_id FROM ${UNIT_TABLE} WHERE parent_id IS NOT NULL))`,
  );
}

/** Facts holding a value or a target, and unit versions. */
export function countsStatement(): SqlStatement {
  return statement(
    `SELECT
      (SELECT count(*) FROM ${FACT_TABLE} WHERE value IS NOT NULL OR target IS NOT NULL) AS facts,
      (SELECT count(*) FROM ${UNIT_TABLE}) AS units`,
  );
}

/** A value of the store's key-value table (no row when unset). */
export function readMetaStatement(key: string): SqlStatement {
  return statement(`SELECT value FROM ${META_TABLE} WHERE key = $1`, [key]);
}

/** Sets a value of the store's key-value table. */
export function writeMetaStatement(key: string, value: string): SqlStatement {
  return statement(
    `INSERT INTO ${META_TABLE} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [key, value],
  );
}

/** Empties the tables `syncCatalog` rebuilds. */
export function clearCatalogStatements(): SqlStatement[] {
  return [UNIT_TABLE, CLOSURE_TABLE, LINEAGE_TABLE, CONTRIBUTION_TABLE, MONTH_SOURCE_TABLE].map((t) =>
    statement(`DELETE FROM ${t}`),
  );
}

/** Empties the reference tables `open` fills from the code (period calendar and indicators). */
export function clearReferenceStatements(): SqlStatement[] {
  return [CALENDAR_TABLE, INDICATOR_TABLE].map((t) => statement(`DELETE FROM ${t}`));
}
