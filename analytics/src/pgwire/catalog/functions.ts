import { DATABASE_NAME, OWNER_NAME, SCHEMA_NAME } from './tables';

/** The server version clients are told (they pick their catalogue queries by it). */
export const SERVER_VERSION = '14.11';
export const SERVER_VERSION_NUM = '140011';
export const VERSION_STRING = `PostgreSQL ${SERVER_VERSION} (lgr analytics, answered by DuckDB) on x86_64-pc-linux-gnu, 64-bit`;

/**
 * Type names clients cast to in catalogue queries (`oid::regclass`, `relname::name`), as DuckDB types.
 * OID-like types are integers: a cast prints the number where PostgreSQL would print the name.
 */
export const TYPE_ALIASES: readonly (readonly [string, string])[] = [
  ['regclass', 'INTEGER'],
  ['regtype', 'INTEGER'],
  ['regproc', 'VARCHAR'],
  ['regprocedure', 'VARCHAR'],
  ['regnamespace', 'INTEGER'],
  ['regrole', 'INTEGER'],
  ['regoper', 'INTEGER'],
  ['xid', 'INTEGER'],
  ['name', 'VARCHAR'],
  ['int2vector', 'VARCHAR'],
  ['oidvector', 'VARCHAR'],
  ['pg_node_tree', 'VARCHAR'],
  ['aclitem', 'VARCHAR'],
];

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The functions clients call on connect and in catalogue queries, as DuckDB macros in the catalogue
 * database's main schema, where they take precedence over DuckDB's own functions of the same name.
 * Overloads are listed as separate parameter lists of one macro.
 */
export const CATALOG_MACROS: readonly string[] = [
  `version() AS ${quote(VERSION_STRING)}`,
  `current_schema() AS ${quote(SCHEMA_NAME)}`,
  `current_schemas(implicit) AS CASE WHEN implicit THEN ['pg_catalog', ${quote(SCHEMA_NAME)}] ELSE [${quote(SCHEMA_NAME)}] END`,
  `current_database() AS ${quote(DATABASE_NAME)}`,
  `current_user() AS ${quote(OWNER_NAME)}`,
  `session_user() AS ${quote(OWNER_NAME)}`,
  `current_role() AS ${quote(OWNER_NAME)}`,
  `pg_table_is_visible(o) AS true`,
  `pg_type_is_visible(o) AS true`,
  `pg_function_is_visible(o) AS true`,
  `pg_get_userbyid(o) AS ${quote(OWNER_NAME)}`,
  `format_type(t, m) AS (SELECT CASE WHEN typname = 'numeric' AND m > 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' ELSE lgr_display END FROM pg_type WHERE oid = t)`,
  `pg_get_expr(e, r) AS CAST(NULL AS VARCHAR), (e, r, p) AS CAST(NULL AS VARCHAR)`,
  `pg_get_indexdef(o) AS CAST(NULL AS VARCHAR), (o, c, p) AS CAST(NULL AS VARCHAR)`,
  `pg_get_constraintdef(o) AS CAST(NULL AS VARCHAR), (o, p) AS CAST(NULL AS VARCHAR)`,
  `pg_get_triggerdef(o) AS CAST(NULL AS VARCHAR), (o, p) AS CAST(NULL AS VARCHAR)`,
  `pg_get_ruledef(o) AS CAST(NULL AS VARCHAR), (o, p) AS CAST(NULL AS VARCHAR)`,
  `pg_get_partkeydef(o) AS CAST(NULL AS VARCHAR)`,
  `pg_relation_is_publishable(o) AS false`,
  jsonBuildObject(),
  `pg_get_publication_tables(p) AS CAST(NULL AS INTEGER)`,
  `pg_get_statisticsobjdef_columns(o) AS CAST(NULL AS VARCHAR)`,
  `pg_get_function_identity_arguments(o) AS ''`,
  `pg_get_function_arguments(o) AS ''`,
  `pg_get_function_result(o) AS CAST(NULL AS VARCHAR)`,
  `pg_get_viewdef(o) AS (SELECT v.definition FROM pg_views v JOIN pg_class c ON c.relname = v.viewname WHERE c.oid = o), (o, p) AS (SELECT v.definition FROM pg_views v JOIN pg_class c ON c.relname = v.viewname WHERE c.oid = o)`,
  `obj_description(o) AS (SELECT description FROM pg_description WHERE objoid = o AND objsubid = 0 LIMIT 1), (o, c) AS (SELECT description FROM pg_description WHERE objoid = o AND objsubid = 0 LIMIT 1)`,
  `col_description(o, n) AS (SELECT description FROM pg_description WHERE objoid = o AND objsubid = n LIMIT 1)`,
  `shobj_description(o, c) AS CAST(NULL AS VARCHAR)`,
  `has_table_privilege(a, b) AS true, (a, b, c) AS true`,
  `has_schema_privilege(a, b) AS true, (a, b, c) AS true`,
  `has_database_privilege(a, b) AS true, (a, b, c) AS true`,
  `has_column_privilege(a, b, c) AS true, (a, b, c, d) AS true`,
  `has_function_privilege(a, b) AS true, (a, b, c) AS true`,
  `has_any_column_privilege(a, b) AS true, (a, b, c) AS true`,
  `pg_has_role(a, b) AS false, (a, b, c) AS false`,
  `pg_encoding_to_char(e) AS 'UTF8'`,
  `pg_char_to_encoding(s) AS 6`,
  `pg_is_in_recovery() AS false`,
  `pg_backend_pid() AS 0`,
  `pg_my_temp_schema() AS 0`,
  `pg_is_other_temp_schema(o) AS false`,
  `pg_total_relation_size(o) AS 0`,
  `pg_relation_size(o) AS 0, (o, f) AS 0`,
  `pg_table_size(o) AS 0`,
  `pg_indexes_size(o) AS 0`,
  `pg_size_pretty(n) AS n || ' bytes'`,
  `pg_get_serial_sequence(t, c) AS CAST(NULL AS VARCHAR)`,
  `pg_tablespace_location(o) AS ''`,
  `pg_postmaster_start_time() AS TIMESTAMP '2025-01-01 00:00:00'`,
  `txid_current() AS 1`,
  `inet_server_addr() AS CAST(NULL AS VARCHAR)`,
  `inet_server_port() AS CAST(NULL AS INTEGER)`,
  `to_regclass(n) AS (SELECT oid FROM pg_class WHERE relname = n)`,
  `to_regtype(n) AS (SELECT oid FROM pg_type WHERE typname = n)`,
  `current_setting(n) AS (SELECT setting FROM pg_settings WHERE name = lower(n)), (n, missing_ok) AS (SELECT setting FROM pg_settings WHERE name = lower(n))`,
  `quote_ident(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s ELSE '"' || replace(s, '"', '""') || '"' END`,
  `array_lower(a, d) AS CASE WHEN len(a) > 0 THEN 1 END`,
  `array_upper(a, d) AS CASE WHEN len(a) > 0 THEN len(a) END`,
];

/** `json_build_object` with up to ten key/value pairs, as DuckDB's `json_object` (macros take no variadic arguments). */
function jsonBuildObject(): string {
  const overloads: string[] = [];
  for (let pairs = 1; pairs <= 10; pairs += 1) {
    const names = Array.from({ length: pairs * 2 }, (_, i) => `a${i}`);
    const values = names.map((n, i) => (i % 2 === 0 ? `CAST(${n} AS VARCHAR)` : n));
    overloads.push(`(${names.join(', ')}) AS json_object(${values.join(', ')})`);
  }
  return `json_build_object${overloads.join(', ')}`;
}

/** Settings as `SHOW`, `current_setting` and `pg_settings` report them. */
export const DEFAULT_SETTINGS: Readonly<Record<string, string>> = {
  server_version: SERVER_VERSION,
  server_version_num: SERVER_VERSION_NUM,
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  datestyle: 'ISO, MDY',
  timezone: 'UTC',
  intervalstyle: 'postgres',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  search_path: '"$user", public',
  transaction_isolation: 'read committed',
  default_transaction_isolation: 'read committed',
  transaction_read_only: 'on',
  default_transaction_read_only: 'on',
  max_identifier_length: '63',
  max_index_keys: '32',
  block_size: '8192',
  lc_collate: 'C.UTF-8',
  lc_ctype: 'C.UTF-8',
  lc_messages: 'C.UTF-8',
  extra_float_digits: '1',
  application_name: '',
  is_superuser: 'off',
  statement_timeout: '0',
  bytea_output: 'hex',
  ssl: 'off',
};
