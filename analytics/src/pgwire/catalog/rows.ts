import { sqlTypeName } from './tables';
import { CatalogRelation, DATABASE_NAME, OID, OWNER_NAME, Row, SCHEMA_NAME, typeRows } from './tables';
import { PG } from '../types';

/**
 * The rows of every catalogue table that says something: the schemas, the views (listed as tables,
 * so that `\dt` and BI tools' table pickers show them) with their columns and descriptions, the
 * types, the one database, its owner and the settings.
 */
export function relationRows(
  relations: readonly CatalogRelation[],
  settings: Readonly<Record<string, string>>,
): Record<string, Row[]> {
  const namespaces: Row[] = [
    [OID.pgCatalog, 'pg_catalog', OID.owner, null],
    [OID.public, SCHEMA_NAME, OID.owner, null],
    [OID.informationSchema, 'information_schema', OID.owner, null],
  ];
  return {
    pg_namespace: namespaces,
    pg_class: relations.map(classRow),
    pg_attribute: relations.flatMap((r) =>
      r.columns.map(
        (c, i) =>
          [
            r.oid,
            c.name,
            c.type.oid,
            -1,
            c.type.size,
            i + 1,
            c.type.name.startsWith('_') ? 1 : 0,
            -1,
            c.typeModifier,
            c.type.size > 0 && c.type.size <= 8,
            c.type.size > 0 ? 'p' : 'x',
            'i',
            false,
            false,
            false,
            '',
            '',
            false,
            true,
            0,
            c.type === PG.text ? 100 : 0,
            null,
            null,
            null,
            null,
          ] as Row,
      ),
    ),
    pg_description: relations.map((r) => [r.oid, OID.pgClass, 0, r.description] as Row),
    pg_type: typeRows(),
    pg_am: [
      [2, 'heap', 'heap_tableam_handler', 't'],
      [403, 'btree', 'bthandler', 'i'],
    ],
    pg_roles: [[OID.owner, OWNER_NAME, false, true, false, false, true, false, -1, null, false, null]],
    pg_user: [[OWNER_NAME, OID.owner, false, false, false, false, null, null]],
    pg_database: [[OID.database, DATABASE_NAME, OID.owner, 6, 'C.UTF-8', 'C.UTF-8', false, true, -1, 1663, null]],
    pg_tablespace: [[1663, 'pg_default', OID.owner]],
    pg_settings: Object.entries(settings).map(
      ([name, setting]) => [name, setting, null, 'lgr', name, 'user', 'string', 'default'] as Row,
    ),
    pg_tables: relations.map((r) => [SCHEMA_NAME, r.name, OWNER_NAME, null, false, false, false, false] as Row),
    'lgr_information_schema.schemata': namespaces.map(
      (n) => [DATABASE_NAME, n[1]!, OWNER_NAME, null, null, null, null] as Row,
    ),
    'lgr_information_schema.tables': relations.map(
      (r) => [DATABASE_NAME, SCHEMA_NAME, r.name, 'BASE TABLE', null, null, null, null, null, 'NO', 'NO', null] as Row,
    ),
    'lgr_information_schema.columns': relations.flatMap((r) => r.columns.map((c, i) => columnRow(r, c, i))),
    'lgr_information_schema.character_sets': [
      [null, null, 'UTF8', 'UCS', 'UTF8', DATABASE_NAME, 'pg_catalog', 'C.UTF-8'],
    ],
    'lgr_information_schema.enabled_roles': [[OWNER_NAME]],
  };
}

function classRow(r: CatalogRelation): Row {
  return [
    r.oid,
    r.name,
    OID.public,
    0,
    0,
    OID.owner,
    2,
    r.oid,
    0,
    0,
    -1,
    0,
    0,
    false,
    false,
    'p',
    'r',
    r.columns.length,
    0,
    false,
    false,
    false,
    false,
    false,
    true,
    'd',
    false,
    0,
    0,
    0,
    null,
    null,
    null,
    false,
  ];
}

function columnRow(r: CatalogRelation, c: CatalogRelation['columns'][number], i: number): Row {
  const numeric = c.type === PG.numeric && c.typeModifier > 4;
  const precision: Record<number, number> = {
    [PG.int2.oid]: 16,
    [PG.int4.oid]: 32,
    [PG.int8.oid]: 64,
    [PG.float4.oid]: 24,
    [PG.float8.oid]: 53,
  };
  return [
    DATABASE_NAME,
    SCHEMA_NAME,
    r.name,
    c.name,
    i + 1,
    null,
    'YES',
    sqlTypeName(c.type),
    null,
    c.type === PG.text ? 1073741824 : null,
    numeric ? (c.typeModifier - 4) >> 16 : (precision[c.type.oid] ?? null),
    numeric ? 10 : precision[c.type.oid] ? 2 : null,
    numeric
      ? (c.typeModifier - 4) & 65535
      : [PG.int2.oid, PG.int4.oid, PG.int8.oid].includes(c.type.oid as never)
        ? 0
        : null,
    [PG.date.oid, PG.timestamp.oid, PG.timestamptz.oid].includes(c.type.oid as never)
      ? c.type === PG.date
        ? 0
        : 6
      : null,
    null,
    DATABASE_NAME,
    'pg_catalog',
    c.type.name,
    String(i + 1),
    'NO',
    'NEVER',
    'NO',
    null,
  ];
}
