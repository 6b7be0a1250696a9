import { PG, PgType } from '../types';

/** A relation clients see in the catalogue: one of the analysts' views. */
export interface CatalogRelation {
  readonly oid: number;
  readonly name: string;
  readonly description: string;
  readonly columns: readonly CatalogColumn[];
}

export interface CatalogColumn {
  readonly name: string;
  readonly type: PgType;
  readonly typeModifier: number;
}

/** OIDs PostgreSQL itself gives these objects; clients sometimes compare with them. */
export const OID = {
  pgCatalog: 11,
  public: 2200,
  informationSchema: 13_000,
  pgClass: 1259,
  pgNamespace: 2615,
  pgType: 1247,
  pgAttribute: 1249,
  pgProc: 1255,
  database: 16_384,
  owner: 10,
  firstRelation: 16_400,
} as const;

/** Names of the catalogue relations clients look up with `'name'::regclass`. */
export const SYSTEM_RELATIONS: Readonly<Record<string, number>> = {
  pg_class: OID.pgClass,
  pg_namespace: OID.pgNamespace,
  pg_type: OID.pgType,
  pg_attribute: OID.pgAttribute,
  pg_proc: OID.pgProc,
};

/** The database clients connect to. */
export const DATABASE_NAME = 'lgr';
/** The schema the views are listed in. */
export const SCHEMA_NAME = 'public';
/** The owner the catalogue names (no role of ours owns anything: the views are read-only). */
export const OWNER_NAME = 'lgr';

type Column = readonly [name: string, type: string];

/**
 * The emulated catalogue tables, each with the columns clients read. Tables that describe features
 * we do not have (indexes, constraints, triggers, policies, publications, inheritance) exist empty,
 * so that clients asking about them get no rows instead of an error.
 */
export const CATALOG_TABLES: Readonly<Record<string, readonly Column[]>> = {
  pg_namespace: cols('oid INTEGER, nspname VARCHAR, nspowner INTEGER, nspacl VARCHAR[]'),
  pg_class: cols(
    'oid INTEGER, relname VARCHAR, relnamespace INTEGER, reltype INTEGER, reloftype INTEGER, relowner INTEGER, relam INTEGER, relfilenode INTEGER, reltablespace INTEGER, relpages INTEGER, reltuples FLOAT, relallvisible INTEGER, reltoastrelid INTEGER, relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR, relnatts SMALLINT, relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, relispopulated BOOLEAN, relreplident VARCHAR, relispartition BOOLEAN, relrewrite INTEGER, relfrozenxid INTEGER, relminmxid INTEGER, relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR, relhasoids BOOLEAN',
  ),
  pg_attribute: cols(
    'attrelid INTEGER, attname VARCHAR, atttypid INTEGER, attstattarget INTEGER, attlen SMALLINT, attnum SMALLINT, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER, attbyval BOOLEAN, attstorage VARCHAR, attalign VARCHAR, attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN, attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN, attinhcount INTEGER, attcollation INTEGER, attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[], attmissingval VARCHAR',
  ),
  pg_type: cols(
    'oid INTEGER, typname VARCHAR, typnamespace INTEGER, typowner INTEGER, typlen SMALLINT, typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR, typispreferred BOOLEAN, typisdefined BOOLEAN, typdelim VARCHAR, typrelid INTEGER, typelem INTEGER, typarray INTEGER, typinput VARCHAR, typoutput VARCHAR, typreceive VARCHAR, typsend VARCHAR, typmodin VARCHAR, typmodout VARCHAR, typanalyze VARCHAR, typalign VARCHAR, typstorage VARCHAR, typnotnull BOOLEAN, typbasetype INTEGER, typtypmod INTEGER, typndims INTEGER, typcollation INTEGER, typdefaultbin VARCHAR, typdefault VARCHAR, typacl VARCHAR[], typsubscript VARCHAR, lgr_display VARCHAR',
  ),
  pg_description: cols('objoid INTEGER, classoid INTEGER, objsubid INTEGER, description VARCHAR'),
  pg_shdescription: cols('objoid INTEGER, classoid INTEGER, description VARCHAR'),
  pg_attrdef: cols('oid INTEGER, adrelid INTEGER, adnum SMALLINT, adbin VARCHAR, adsrc VARCHAR'),
  pg_am: cols('oid INTEGER, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR'),
  pg_collation: cols(
    'oid INTEGER, collname VARCHAR, collnamespace INTEGER, collowner INTEGER, collprovider VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, collctype VARCHAR',
  ),
  pg_index: cols(
    'indexrelid INTEGER, indrelid INTEGER, indnatts SMALLINT, indnkeyatts SMALLINT, indisunique BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN, indkey SMALLINT[], indcollation INTEGER[], indclass INTEGER[], indoption SMALLINT[], indexprs VARCHAR, indpred VARCHAR',
  ),
  pg_constraint: cols(
    'oid INTEGER, conname VARCHAR, connamespace INTEGER, contype VARCHAR, condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid INTEGER, contypid INTEGER, conindid INTEGER, conparentid INTEGER, confrelid INTEGER, confupdtype VARCHAR, confdeltype VARCHAR, confmatchtype VARCHAR, conislocal BOOLEAN, coninhcount INTEGER, connoinherit BOOLEAN, conkey SMALLINT[], confkey SMALLINT[], conbin VARCHAR',
  ),
  pg_inherits: cols('inhrelid INTEGER, inhparent INTEGER, inhseqno INTEGER, inhdetachpending BOOLEAN'),
  pg_trigger: cols(
    'oid INTEGER, tgrelid INTEGER, tgparentid INTEGER, tgname VARCHAR, tgfoid INTEGER, tgtype SMALLINT, tgenabled VARCHAR, tgisinternal BOOLEAN, tgconstrrelid INTEGER, tgconstrindid INTEGER, tgconstraint INTEGER, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs SMALLINT',
  ),
  pg_rewrite: cols(
    'oid INTEGER, rulename VARCHAR, ev_class INTEGER, ev_type VARCHAR, ev_enabled VARCHAR, is_instead BOOLEAN',
  ),
  pg_policy: cols(
    'oid INTEGER, polname VARCHAR, polrelid INTEGER, polcmd VARCHAR, polpermissive BOOLEAN, polroles INTEGER[], polqual VARCHAR, polwithcheck VARCHAR',
  ),
  pg_statistic_ext: cols(
    'oid INTEGER, stxrelid INTEGER, stxname VARCHAR, stxnamespace INTEGER, stxowner INTEGER, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[]',
  ),
  pg_publication: cols(
    'oid INTEGER, pubname VARCHAR, pubowner INTEGER, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN',
  ),
  pg_publication_rel: cols('oid INTEGER, prpubid INTEGER, prrelid INTEGER, prqual VARCHAR, prattrs SMALLINT[]'),
  pg_publication_namespace: cols('oid INTEGER, pnpubid INTEGER, pnnspid INTEGER'),
  pg_proc: cols(
    'oid INTEGER, proname VARCHAR, pronamespace INTEGER, proowner INTEGER, prolang INTEGER, prokind VARCHAR, proretset BOOLEAN, prorettype INTEGER, pronargs SMALLINT, proargtypes VARCHAR, proallargtypes INTEGER[], proargmodes VARCHAR[], proargnames VARCHAR[], prosrc VARCHAR',
  ),
  pg_enum: cols('oid INTEGER, enumtypid INTEGER, enumsortorder FLOAT, enumlabel VARCHAR'),
  pg_range: cols('rngtypid INTEGER, rngsubtype INTEGER'),
  pg_extension: cols(
    'oid INTEGER, extname VARCHAR, extowner INTEGER, extnamespace INTEGER, extrelocatable BOOLEAN, extversion VARCHAR',
  ),
  pg_foreign_table: cols('ftrelid INTEGER, ftserver INTEGER, ftoptions VARCHAR[]'),
  pg_foreign_server: cols('oid INTEGER, srvname VARCHAR'),
  pg_sequence: cols(
    'seqrelid INTEGER, seqtypid INTEGER, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT, seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN',
  ),
  pg_depend: cols(
    'classid INTEGER, objid INTEGER, objsubid INTEGER, refclassid INTEGER, refobjid INTEGER, refobjsubid INTEGER, deptype VARCHAR',
  ),
  pg_event_trigger: cols('oid INTEGER, evtname VARCHAR'),
  pg_partitioned_table: cols('partrelid INTEGER, partstrat VARCHAR'),
  pg_matviews: cols('schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, definition VARCHAR'),
  pg_roles: cols(
    'oid INTEGER, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER, rolvaliduntil TIMESTAMP, rolbypassrls BOOLEAN, rolconfig VARCHAR[]',
  ),
  pg_user: cols(
    'usename VARCHAR, usesysid INTEGER, usecreatedb BOOLEAN, usesuper BOOLEAN, userepl BOOLEAN, usebypassrls BOOLEAN, valuntil TIMESTAMP, useconfig VARCHAR[]',
  ),
  pg_database: cols(
    'oid INTEGER, datname VARCHAR, datdba INTEGER, encoding INTEGER, datcollate VARCHAR, datctype VARCHAR, datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, dattablespace INTEGER, datacl VARCHAR[]',
  ),
  pg_tablespace: cols('oid INTEGER, spcname VARCHAR, spcowner INTEGER'),
  pg_settings: cols(
    'name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR',
  ),
  pg_tables: cols(
    'schemaname VARCHAR, tablename VARCHAR, tableowner VARCHAR, tablespace VARCHAR, hasindexes BOOLEAN, hasrules BOOLEAN, hastriggers BOOLEAN, rowsecurity BOOLEAN',
  ),
  pg_views: cols('schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR, definition VARCHAR'),
  pg_stat_activity: cols(
    'datid INTEGER, datname VARCHAR, pid INTEGER, usename VARCHAR, application_name VARCHAR, state VARCHAR, query VARCHAR',
  ),
  pg_locks: cols('locktype VARCHAR, pid INTEGER, mode VARCHAR, granted BOOLEAN'),
  pg_stat_user_tables: cols('relid INTEGER, schemaname VARCHAR, relname VARCHAR, n_live_tup BIGINT'),
  pg_timezone_names: cols('name VARCHAR, abbrev VARCHAR, utc_offset INTERVAL, is_dst BOOLEAN'),
  'lgr_information_schema.schemata': cols(
    'catalog_name VARCHAR, schema_name VARCHAR, schema_owner VARCHAR, default_character_set_catalog VARCHAR, default_character_set_schema VARCHAR, default_character_set_name VARCHAR, sql_path VARCHAR',
  ),
  'lgr_information_schema.tables': cols(
    'table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR, self_referencing_column_name VARCHAR, reference_generation VARCHAR, user_defined_type_catalog VARCHAR, user_defined_type_schema VARCHAR, user_defined_type_name VARCHAR, is_insertable_into VARCHAR, is_typed VARCHAR, commit_action VARCHAR',
  ),
  'lgr_information_schema.views': cols(
    'table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, view_definition VARCHAR, check_option VARCHAR, is_updatable VARCHAR, is_insertable_into VARCHAR',
  ),
  'lgr_information_schema.columns': cols(
    'table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, ordinal_position INTEGER, column_default VARCHAR, is_nullable VARCHAR, data_type VARCHAR, character_maximum_length INTEGER, character_octet_length INTEGER, numeric_precision INTEGER, numeric_precision_radix INTEGER, numeric_scale INTEGER, datetime_precision INTEGER, interval_type VARCHAR, udt_catalog VARCHAR, udt_schema VARCHAR, udt_name VARCHAR, dtd_identifier VARCHAR, is_identity VARCHAR, is_generated VARCHAR, is_updatable VARCHAR, collation_name VARCHAR',
  ),
  'lgr_information_schema.table_constraints': cols(
    'constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, constraint_type VARCHAR, is_deferrable VARCHAR, initially_deferred VARCHAR',
  ),
  'lgr_information_schema.key_column_usage': cols(
    'constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, ordinal_position INTEGER, position_in_unique_constraint INTEGER',
  ),
  'lgr_information_schema.referential_constraints': cols(
    'constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, unique_constraint_catalog VARCHAR, unique_constraint_schema VARCHAR, unique_constraint_name VARCHAR, match_option VARCHAR, update_rule VARCHAR, delete_rule VARCHAR',
  ),
  'lgr_information_schema.constraint_column_usage': cols(
    'table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR',
  ),
  'lgr_information_schema.routines': cols(
    'specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR, routine_catalog VARCHAR, routine_schema VARCHAR, routine_name VARCHAR, routine_type VARCHAR, data_type VARCHAR',
  ),
  'lgr_information_schema.parameters': cols(
    'specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR, ordinal_position INTEGER, parameter_mode VARCHAR, parameter_name VARCHAR, data_type VARCHAR',
  ),
  'lgr_information_schema.sequences': cols(
    'sequence_catalog VARCHAR, sequence_schema VARCHAR, sequence_name VARCHAR, data_type VARCHAR',
  ),
  'lgr_information_schema.triggers': cols(
    'trigger_catalog VARCHAR, trigger_schema VARCHAR, trigger_name VARCHAR, event_manipulation VARCHAR, event_object_schema VARCHAR, event_object_table VARCHAR',
  ),
  'lgr_information_schema.character_sets': cols(
    'character_set_catalog VARCHAR, character_set_schema VARCHAR, character_set_name VARCHAR, character_repertoire VARCHAR, form_of_use VARCHAR, default_collate_catalog VARCHAR, default_collate_schema VARCHAR, default_collate_name VARCHAR',
  ),
  'lgr_information_schema.enabled_roles': cols('role_name VARCHAR'),
  'lgr_information_schema.table_privileges': cols(
    'grantor VARCHAR, grantee VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, privilege_type VARCHAR, is_grantable VARCHAR, with_hierarchy VARCHAR',
  ),
};

function cols(spec: string): Column[] {
  return spec.split(',').map((part) => {
    const [name, ...type] = part.trim().split(/\s+/);
    return [name!, type.join(' ')] as const;
  });
}

/** `CREATE TABLE` for one catalogue table. */
export function createCatalogTableSql(name: string): string {
  const columns = CATALOG_TABLES[name];
  if (!columns) throw new Error(`unknown catalogue table ${name}`);
  return `CREATE OR REPLACE TABLE ${name} (${columns.map(([n, t]) => `"${n}" ${t}`).join(', ')})`;
}

export type Row = readonly (string | number | boolean | null)[];

/** What information_schema calls a PostgreSQL type. */
const SQL_TYPE_NAMES: Readonly<Record<string, string>> = {
  bool: 'boolean',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  numeric: 'numeric',
  text: 'text',
  varchar: 'character varying',
  date: 'date',
  time: 'time without time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  interval: 'interval',
  bytea: 'bytea',
  uuid: 'uuid',
  name: 'name',
  oid: 'oid',
  char: '"char"',
  json: 'json',
  bpchar: 'character',
};

/** `format_type` and information_schema's `data_type` for a type. */
export function sqlTypeName(type: PgType): string {
  if (type.name.startsWith('_')) return 'ARRAY';
  return SQL_TYPE_NAMES[type.name] ?? type.name;
}

const TYPE_CATEGORY: Readonly<Record<string, string>> = {
  bool: 'B',
  int2: 'N',
  int4: 'N',
  int8: 'N',
  float4: 'N',
  float8: 'N',
  numeric: 'N',
  oid: 'N',
  date: 'D',
  time: 'D',
  timestamp: 'D',
  timestamptz: 'D',
  interval: 'T',
  bytea: 'U',
  uuid: 'U',
  json: 'U',
  unknown: 'X',
};

/** Rows of `pg_type`: every type the protocol describes. */
export function typeRows(): Row[] {
  const elementOf = new Map<number, number>();
  for (const t of Object.values(PG)) {
    if (!t.name.startsWith('_')) continue;
    const element = Object.values(PG).find((e) => `_${e.name}` === t.name);
    if (element) elementOf.set(t.oid, element.oid);
  }
  const arrayOf = new Map([...elementOf].map(([array, element]) => [element, array]));
  return Object.values(PG).map((t) => {
    const isArray = t.name.startsWith('_');
    const fixed = t.size > 0 && t.size <= 8 && t.name !== 'name';
    return [
      t.oid,
      t.name,
      OID.pgCatalog,
      OID.owner,
      t.size,
      fixed,
      'b',
      isArray ? 'A' : (TYPE_CATEGORY[t.name] ?? 'S'),
      false,
      true,
      ',',
      0,
      elementOf.get(t.oid) ?? 0,
      arrayOf.get(t.oid) ?? 0,
      isArray ? 'array_in' : `${t.name}in`,
      isArray ? 'array_out' : `${t.name}out`,
      isArray ? 'array_recv' : `${t.name}recv`,
      isArray ? 'array_send' : `${t.name}send`,
      '-',
      '-',
      '-',
      t.size === 8 ? 'd' : t.size === 2 ? 's' : t.size === 1 ? 'c' : 'i',
      t.size > 0 ? 'p' : 'x',
      false,
      0,
      -1,
      0,
      ['text', 'varchar', 'name', 'bpchar'].includes(t.name) ? 100 : 0,
      null,
      null,
      null,
      isArray ? 'array_subscript_handler' : '-',
      isArray
        ? `${sqlTypeName(Object.values(PG).find((e) => e.oid === elementOf.get(t.oid)) ?? PG.text)}[]`
        : sqlTypeName(t),
    ];
  });
}
