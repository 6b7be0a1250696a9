import { DuckDBDataChunk, DuckDBType, DuckDBTypeId, JsonDuckDBValueConverter } from '@duckdb/node-api';
import type { ResultSink } from './sandbox';

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

  chunk(chunk: DuckDBDataChunk): void {
    for (const row of chunk.convertRows(JsonDuckDBValueConverter)) {
      this.rows.push(row.map((v, i) => jsonValue(v, this.typeIds[i]!)));
    }
  }
}
