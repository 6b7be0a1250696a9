import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { queryRows, runStatement } from './exec';
import {
  createSchemaStatements,
  META_TABLE,
  readMetaStatement,
  statement,
  SqlStatement,
  writeMetaStatement,
} from './sql';

/**
 * The version of the store's whole layout (tables, columns and what they mean). Raise it when a change
 * needs the facts rebuilt even though the columns look the same (a column's meaning changed).
 */
export const STORE_LAYOUT_VERSION = '1';
/** The `store_meta` key holding {@link STORE_LAYOUT_VERSION}. */
export const STORE_LAYOUT = 'store_layout';

/** Table name -> its columns in order, each as `name TYPE`. */
export type Layout = ReadonlyMap<string, readonly string[]>;

/** The columns of every table of the main schema, as {@link Layout}. */
export async function readLayout(connection: DuckDBConnection): Promise<Layout> {
  const rows = await queryRows(
    connection,
    statement(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name, ordinal_position`,
    ),
  );
  const layout = new Map<string, string[]>();
  for (const r of rows) {
    const table = String(r.table_name);
    const columns = layout.get(table) ?? [];
    columns.push(`${String(r.column_name)} ${String(r.data_type)}`);
    layout.set(table, columns);
  }
  return layout;
}

/** The layout this code creates, read back from a scratch database (so it can never drift from the DDL). */
export async function expectedLayout(): Promise<Layout> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      for (const s of createSchemaStatements()) await runStatement(connection, s);
      return await readLayout(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * How a store's layout differs from the expected one, one sentence per table; empty when every
 * expected table that exists has exactly the expected columns (missing tables are simply created;
 * tables the code does not know are ignored).
 */
export function layoutDifferences(expected: Layout, actual: Layout): string[] {
  const differences: string[] = [];
  for (const [table, columns] of expected) {
    const found = actual.get(table);
    if (!found) continue;
    if (found.join(', ') !== columns.join(', ')) {
      differences.push(`table ${table} has columns (${found.join(', ')}), expected (${columns.join(', ')})`);
    }
  }
  return differences;
}

/** Why a store must be rebuilt, or an empty list when its layout is this code's. */
export function rebuildReasons(
  storedVersion: string | null,
  differences: readonly string[],
  hasTables: boolean,
): string[] {
  if (!hasTables) return [];
  const reasons = [...differences];
  if (storedVersion !== null && storedVersion !== STORE_LAYOUT_VERSION) {
    reasons.unshift(`store layout version ${storedVersion}, this release writes ${STORE_LAYOUT_VERSION}`);
  }
  return reasons;
}

/** Drops every table the store has (all of it is derived from the feeds and the catalogue). */
export function dropAllStatements(tables: Iterable<string>): SqlStatement[] {
  return [...tables].map((t) => statement(`DROP TABLE IF EXISTS "${t.replace(/"/g, '""')}"`));
}

/**
 * Makes the store's layout this code's: a store of another layout (an older or newer release, or
 * changed by hand) is emptied, so that the feeds are read again from the start instead of the code
 * half-working on tables it does not understand. Returns why it was emptied, or an empty list.
 */
export async function ensureLayout(connection: DuckDBConnection): Promise<string[]> {
  const actual = await readLayout(connection);
  const hasMeta = actual.has(META_TABLE);
  const stored = hasMeta ? await queryRows(connection, readMetaStatement(STORE_LAYOUT)) : [];
  const storedVersion = stored.length ? String(stored[0]!.value) : null;
  const reasons = rebuildReasons(storedVersion, layoutDifferences(await expectedLayout(), actual), actual.size > 0);
  if (reasons.length) {
    for (const s of dropAllStatements(actual.keys())) await runStatement(connection, s);
  }
  for (const s of createSchemaStatements()) await runStatement(connection, s);
  // A store written before the layout was versioned, with the right columns, is adopted as it is.
  await runStatement(connection, writeMetaStatement(STORE_LAYOUT, STORE_LAYOUT_VERSION));
  return reasons;
}
