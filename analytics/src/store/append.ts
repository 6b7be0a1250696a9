import { dateValue, DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { Columns, ColumnType } from './sql';
import type { Row } from './rows';

function appendOne(appender: DuckDBAppender, type: ColumnType, value: Row[number]): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case 'VARCHAR':
      appender.appendVarchar(String(value));
      return;
    case 'DOUBLE':
      appender.appendDouble(Number(value));
      return;
    case 'INTEGER':
      appender.appendInteger(Number(value));
      return;
    case 'BIGINT':
      appender.appendBigInt(typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value))));
      return;
    case 'BOOLEAN':
      appender.appendBoolean(Boolean(value));
      return;
    case 'DATE': {
      const [year, month, day] = String(value).split('-').map(Number);
      appender.appendDate(dateValue({ year: year!, month: month!, day: day! }));
      return;
    }
  }
}

/**
 * Bulk-loads rows with DuckDB's appender (a prepared INSERT per row is two orders of magnitude slower).
 * The appender writes in the connection's current transaction; it is closed, flushing its rows, before
 * this returns, and closed in any case when a row is rejected.
 */
export async function appendRows(
  connection: DuckDBConnection,
  table: string,
  columns: Columns,
  rows: Iterable<Row>,
  temporary = false,
): Promise<void> {
  const appender = temporary
    ? await connection.createAppender(table, 'main', 'temp')
    : await connection.createAppender(table);
  let closed = false;
  try {
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) appendOne(appender, columns[i]![1], row[i]!);
      appender.endRow();
    }
    closed = true;
    appender.closeSync();
  } finally {
    if (!closed) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // The appender failed part-way; the transaction it wrote into is rolled back by the caller.
      }
    }
  }
}
