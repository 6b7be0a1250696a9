import type { DuckDBConnection } from '@duckdb/node-api';
import { findIndicator, UnitCatalog } from '@lgr/schema';
import type { AggregateRow } from '../engine';
import { appendCells, Cell, TypedColumn } from '../sandbox/data';

/**
 * The columns of `aggregate(...)` in SQL: the contract's columns first, in its order, then names and
 * context. Values are the engine's, unchanged.
 */
export const AGGREGATE_SQL_COLUMNS: readonly TypedColumn[] = [
  ['indicator', 'VARCHAR'],
  ['unit_code', 'VARCHAR'],
  ['unit_id', 'VARCHAR'],
  ['period', 'VARCHAR'],
  ['value', 'DOUBLE'],
  ['target', 'DOUBLE'],
  ['achievement_pct', 'DOUBLE'],
  ['same_period_value', 'DOUBLE'],
  ['same_period_pct', 'DOUBLE'],
  ['complete', 'BOOLEAN'],
  ['coverage_value', 'DOUBLE'],
  ['unit_name', 'VARCHAR'],
  ['unit_level', 'VARCHAR'],
  ['unit_valid_from', 'DATE'],
  ['unit_valid_to', 'DATE'],
  ['term', 'VARCHAR'],
  ['total', 'BOOLEAN'],
  ['boundaries_as_of', 'DATE'],
  ['indicator_name_vi', 'VARCHAR'],
  ['indicator_name_en', 'VARCHAR'],
];

/**
 * The engine's coverage of a row's value (DESIGN.md rule 9), where the engine reports one: the share
 * of the value's parts that had figures. Rows of an engine without coverage give null.
 */
export function coverageValue(row: AggregateRow): number | null {
  const r = row as AggregateRow & { coverage?: { value?: number | null } | null; coverageValue?: number | null };
  if (typeof r.coverageValue === 'number') return r.coverageValue;
  const value = r.coverage?.value;
  return typeof value === 'number' ? value : null;
}

/** The rows of one answer, in the order of {@link AGGREGATE_SQL_COLUMNS}. */
export function aggregateSqlRows(rows: readonly AggregateRow[], catalog: UnitCatalog): Cell[][] {
  return rows.map((r) => {
    const unit = catalog.get(r.unitId);
    const indicator = findIndicator(r.indicator);
    return [
      r.indicator,
      r.unitCode,
      r.unitId,
      r.period,
      r.value,
      r.target,
      r.achievementPct,
      r.samePeriodValue,
      r.samePeriodPct,
      r.complete,
      coverageValue(r),
      unit?.name ?? null,
      unit?.level ?? null,
      unit?.validFrom ?? null,
      unit?.validTo ?? null,
      r.term,
      r.total,
      r.boundariesAsOf,
      indicator?.nameVi ?? null,
      indicator?.nameEn ?? null,
    ];
  });
}

/** `CREATE TEMP TABLE <name> (...)` with the columns of `aggregate(...)`; the name is ours, never the caller's. */
export function createAnswerTableSql(name: string): string {
  if (!/^lgr_aggregate_\d+$/.test(name)) throw new Error(`not an answer table name: ${name}`);
  return `CREATE TEMP TABLE ${name} (${AGGREGATE_SQL_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`;
}

/** Creates the TEMP table of one answer on the query's connection and appends its rows. */
export async function materialise(connection: DuckDBConnection, name: string, rows: readonly Cell[][]): Promise<void> {
  await connection.run(createAnswerTableSql(name));
  const appender = await connection.createAppender(name, 'main', 'temp');
  try {
    appendCells(appender, AGGREGATE_SQL_COLUMNS, rows, name);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Turns an `aggregate(...)` table reference into a reference to the table holding its answer, in place. */
export function pointAt(node: Record<string, unknown>, table: string): void {
  const alias = typeof node.alias === 'string' && node.alias !== '' ? node.alias : 'aggregate';
  const columnAliases = node.column_name_alias ?? [];
  for (const key of Object.keys(node)) if (!['sample', 'query_location'].includes(key)) delete node[key];
  Object.assign(node, {
    type: 'BASE_TABLE',
    alias,
    schema_name: '',
    table_name: table,
    column_name_alias: columnAliases,
    catalog_name: '',
  });
}
