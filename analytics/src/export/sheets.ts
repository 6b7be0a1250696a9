import { Identity } from '@lgr/kit';
import { UnitCatalog } from '@lgr/schema';
import type { AggregateRow } from '../engine';
import { JsonRowsSink } from '../sandbox/results';
import { AnalystSql } from '../sandbox/service';
import { coverageValue } from '../sql-rewrite/materialise';
import { AGGREGATE_EXPORT_COLUMNS, aggregateExportRows } from './aggregate-rows';
import type { SheetData } from './xlsx';

/** A sheet and whether its rows were cut off at the SQL row limit. */
export type Sheet = SheetData & { readonly truncated: boolean };

/**
 * The sheet of an aggregate answer: the export's columns with names, and the engine's coverage
 * (DESIGN.md rule 9) when the export columns do not carry it already.
 */
export function aggregateSheet(rows: readonly AggregateRow[], catalog: UnitCatalog): Sheet {
  const hasCoverage = AGGREGATE_EXPORT_COLUMNS.some(([name]) => name.startsWith('coverage'));
  const columns = AGGREGATE_EXPORT_COLUMNS.map(([name, type]) => ({ name, type }));
  const cells = aggregateExportRows(rows, catalog);
  if (hasCoverage) return { name: 'Aggregate', columns, rows: cells, truncated: false };
  return {
    name: 'Aggregate',
    columns: [...columns, { name: 'coverage_value', type: 'DOUBLE' }],
    rows: cells.map((cellsOfRow, i) => [...cellsOfRow, coverageValue(rows[i]!)]),
    truncated: false,
  };
}

/** The sheet of an analyst's query, run with the same checks, scope and limits as `POST /sql`. */
export async function sqlSheet(sql: AnalystSql, identity: Identity, text: string): Promise<Sheet> {
  const sink = new JsonRowsSink();
  const summary = await sql.run(identity, text, sink);
  return { name: 'SQL', columns: sink.columnsInfo, rows: sink.rows, truncated: summary.truncated };
}
