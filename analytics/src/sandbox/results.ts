import { DuckDBDataChunk, DuckDBType, DuckDBTypeId, JsonDuckDBValueConverter } from '@duckdb/node-api';
import type { ChunkTaken, ResultSink } from './sandbox';

/** A column of an analyst's result, with its DuckDB type as SQL writes it (`BIGINT`, `DECIMAL(18,3)`). */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

/** What `POST /sql` answers with in JSON. */
export interface SqlAnswer {
  readonly columns: ResultColumn[];
  /** One array per row, in the order of `columns`. */
  readonly rows: unknown[][];
  readonly rowCount: number;
  readonly truncated: boolean;
}

const NUMERIC_AS_TEXT = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

/**
 * DuckDB's JSON conversion writes 64-bit and wider integers and decimals as text so that nothing is
 * lost; analysts expect numbers (`count(*)`, `sum(...)`), so such values become numbers whenever
 * that is exact for integers, and always for decimals (which are approximate in JSON anyway).
 */
export function jsonValue(value: unknown, typeId: DuckDBTypeId): unknown {
  if (typeof value !== 'string' || !NUMERIC_AS_TEXT.has(typeId)) return value;
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  if (typeId === DuckDBTypeId.DECIMAL) return n;
  return Number.isSafeInteger(n) ? n : value;
}

/** Collects a result as JSON-ready rows (for `POST /sql` and CSV answers). */
export class JsonRowsSink implements ResultSink {
  readonly columnsInfo: ResultColumn[] = [];
  readonly rows: unknown[][] = [];
  private typeIds: DuckDBTypeId[] = [];

  columns(names: readonly string[], types: readonly DuckDBType[]): void {
    names.forEach((name, i) => this.columnsInfo.push({ name, type: types[i]!.toString() }));
    this.typeIds = types.map((t) => t.typeId);
  }

  chunk(chunk: DuckDBDataChunk, budgetBytes: number): ChunkTaken {
    let bytes = 0;
    let rows = 0;
    for (const row of chunk.convertRows(JsonDuckDBValueConverter)) {
      const values = row.map((v, i) => jsonValue(v, this.typeIds[i]!));
      const size = jsonBytes(values);
      if (bytes + size > budgetBytes) break;
      this.rows.push(values);
      bytes += size;
      rows += 1;
    }
    return { rows, bytes };
  }
}

/** Bytes a row takes in a JSON answer (with its separating comma). */
export function jsonBytes(row: readonly unknown[]): number {
  return Buffer.byteLength(JSON.stringify(row)) + 1;
}

/**
 * How many leading rows of `chunk` fit in `budgetBytes` of JSON, and their bytes: sinks that keep
 * DuckDB's values (Parquet) measure the answer as `POST /sql` would send it.
 */
export function rowsWithinBudget(chunk: DuckDBDataChunk, budgetBytes: number): ChunkTaken {
  let bytes = 0;
  let rows = 0;
  for (const row of chunk.convertRows(JsonDuckDBValueConverter)) {
    const size = jsonBytes(row);
    if (bytes + size > budgetBytes) break;
    bytes += size;
    rows += 1;
  }
  return { rows, bytes };
}
