import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { SqlStatement } from './sql';

/** Runs a statement with its bound parameters; returns the number of rows it inserted, updated or deleted. */
export async function runStatement(connection: DuckDBConnection, s: SqlStatement): Promise<number> {
  const result = s.params.length ? await connection.run(s.sql, s.params, s.types) : await connection.run(s.sql);
  return result.rowsChanged;
}

/** Runs a statement and returns its rows as objects (DOUBLE as number, BIGINT as bigint). */
export async function queryRows(connection: DuckDBConnection, s: SqlStatement): Promise<Record<string, DuckDBValue>[]> {
  const reader = s.params.length
    ? await connection.runAndReadAll(s.sql, s.params, s.types)
    : await connection.runAndReadAll(s.sql);
  return reader.getRowObjects();
}

/**
 * Runs `fn` inside a transaction on `connection`: committed when it resolves, rolled back when it
 * throws (and the error passed on).
 */
export async function inTransaction<T>(connection: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    try {
      await connection.run('ROLLBACK');
    } catch {
      // A failed statement may already have aborted the transaction; the original error matters.
    }
    throw error;
  }
  await connection.run('COMMIT');
  return result;
}
