import { DuckDBAppender, dateValue } from '@duckdb/node-api';
import {
  DEFAULT_TERMS,
  halfPeriod,
  INDICATORS,
  monthPeriod,
  Period,
  quarterPeriod,
  Term,
  termPeriod,
  tryParsePeriod,
  UnitCatalog,
  yearOfMonth,
  yearPeriod,
} from '@lgr/schema';
import { FACT_TABLE, SqlStatement, statement } from '../store';
import { DATA_TABLES, DataTable } from './views';

export type Cell = string | number | boolean | null;

/** Thrown when a row does not fit the base table it is appended to. */
export class SandboxDataError extends Error {
  constructor(table: string, column: string, expected: string, got: unknown) {
    super(`${table}.${column}: expected ${expected}, got ${JSON.stringify(got)}`);
    this.name = 'SandboxDataError';
  }
}

/** A column of a table filled through the appender: its name and DuckDB type. */
export type TypedColumn = readonly [name: string, type: string];

/** Appends rows to a base table of the sandbox, each cell with the appender call for its column type. */
export function appendRows(appender: DuckDBAppender, table: DataTable, rows: Iterable<readonly Cell[]>): void {
  appendCells(appender, DATA_TABLES[table], rows, table);
}

/**
 * Appends rows whose cells are in the order of `columns`; VARCHAR, DOUBLE, INTEGER, BOOLEAN and DATE
 * (as YYYY-MM-DD) columns are understood, and null is null in any of them.
 */
export function appendCells(
  appender: DuckDBAppender,
  columns: readonly TypedColumn[],
  rows: Iterable<readonly Cell[]>,
  table: string,
): void {
  for (const row of rows) {
    columns.forEach(([name, type], i) => {
      const cell = row[i] ?? null;
      if (cell === null) return appender.appendNull();
      switch (type) {
        case 'VARCHAR':
          return appender.appendVarchar(String(cell));
        case 'DOUBLE':
          if (typeof cell !== 'number') throw new SandboxDataError(table, name, 'a number', cell);
          return appender.appendDouble(cell);
        case 'INTEGER':
          if (typeof cell !== 'number' || !Number.isInteger(cell))
            throw new SandboxDataError(table, name, 'an integer', cell);
          return appender.appendInteger(cell);
        case 'BOOLEAN':
          if (typeof cell !== 'boolean') throw new SandboxDataError(table, name, 'true or false', cell);
          return appender.appendBoolean(cell);
        case 'DATE': {
          const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(cell));
          if (!m) throw new SandboxDataError(table, name, 'a date as YYYY-MM-DD', cell);
          return appender.appendDate(dateValue({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }));
        }
        default:
          throw new SandboxDataError(table, name, `a column type appendCells handles, not ${type}`, cell);
      }
    });
    appender.endRow();
  }
}

/** Rows of `units`: every unit version of the catalogue. */
export function unitRows(catalog: UnitCatalog): Cell[][] {
  return catalog.units.map((u) => [
    u.id,
    u.code,
    u.name,
    u.fullName,
    u.nameEn,
    u.level,
    u.kind,
    u.parentId,
    u.validFrom,
    u.validTo,
  ]);
}

/** Rows of `unit_tree`: each unit with itself (depth 0) and with each of its ancestors. */
export function unitTreeRows(catalog: UnitCatalog): Cell[][] {
  const rows: Cell[][] = [];
  for (const u of catalog.units) {
    rows.push([u.id, u.id, 0]);
    catalog.ancestors(u.id).forEach((a, i) => rows.push([a.id, u.id, i + 1]));
  }
  return rows;
}

/** Rows of `indicators`: the indicator catalogue. */
export function indicatorRows(): Cell[][] {
  return INDICATORS.map((i) => [
    i.code,
    i.nameVi,
    i.nameEn,
    i.domain,
    i.measure,
    i.rule,
    i.numerator ?? null,
    i.denominator ?? null,
    i.targetGrain ?? null,
  ]);
}

/**
 * Rows of `periods`: every calendar period (years, halves, quarters, months) of the years from
 * `fromYear` to `toYear`, and the congress terms overlapping them, each with the period that contains
 * it one step up and the term it lies in.
 */
export function periodRows(fromYear: number, toYear: number, terms: readonly Term[] = DEFAULT_TERMS): Cell[][] {
  const rows: Cell[][] = [];
  const termOf = (p: Period): string | null =>
    terms.find((t) => t.startMonth <= p.startMonth && p.endMonth <= t.endMonth)?.code ?? null;
  const row = (p: Period, parent: string | null): Cell[] => {
    const year = yearOfMonth(p.startMonth);
    const month = (p.startMonth % 12) + 1;
    return [
      p.code,
      p.grain,
      p.start,
      p.end,
      p.grain === 'TERM' ? null : year,
      p.grain === 'YEAR' || p.grain === 'TERM' ? null : month <= 6 ? 1 : 2,
      p.grain === 'QUARTER' || p.grain === 'MONTH' ? Math.floor((month - 1) / 3) + 1 : null,
      p.grain === 'MONTH' ? month : null,
      parent,
      p.grain === 'TERM' ? null : termOf(p),
    ];
  };
  for (let year = fromYear; year <= toYear; year += 1) {
    const y = yearPeriod(year);
    rows.push(row(y, null));
    for (const half of [1, 2] as const) {
      const h = halfPeriod(year, half);
      rows.push(row(h, y.code));
      for (let q = half * 2 - 1; q <= half * 2; q += 1) {
        const qp = quarterPeriod(year, q);
        rows.push(row(qp, h.code));
        for (let m = 0; m < 3; m += 1) rows.push(row(monthPeriod(qp.startMonth + m), qp.code));
      }
    }
  }
  for (const t of terms) {
    if (yearOfMonth(t.endMonth) >= fromYear && yearOfMonth(t.startMonth) <= toYear) rows.push(row(termPeriod(t), null));
  }
  return rows;
}

/** The years `periods` must cover: those of the recorded periods and the current year and the next. */
export function periodYears(recorded: Iterable<string>, now = new Date()): { fromYear: number; toYear: number } {
  let fromYear = now.getUTCFullYear() - 1;
  let toYear = now.getUTCFullYear() + 1;
  for (const code of recorded) {
    const p = tryParsePeriod(code);
    if (!p) continue;
    fromYear = Math.min(fromYear, yearOfMonth(p.startMonth));
    toYear = Math.max(toYear, yearOfMonth(p.endMonth));
  }
  return { fromYear, toYear };
}

/**
 * The store's facts that hold a value or a target, with exactly the columns and types of the
 * sandbox's `facts` table, so that result chunks can be appended to it as they are.
 */
export function storeFactsStatement(): SqlStatement {
  return statement(
    `SELECT CAST(indicator AS VARCHAR) AS indicator, CAST(unit_id AS VARCHAR) AS unit_id, CAST(period AS VARCHAR) AS period,
      CAST(value AS DOUBLE) AS value, CAST(target AS DOUBLE) AS target, CAST(updated_at AS TIMESTAMP) AS updated_at
    FROM ${FACT_TABLE} WHERE value IS NOT NULL OR target IS NOT NULL`,
  );
}

/** The distinct period codes of the store's facts, to size the `periods` view. */
export function storePeriodsStatement(): SqlStatement {
  return statement(`SELECT DISTINCT period FROM ${FACT_TABLE}`);
}
