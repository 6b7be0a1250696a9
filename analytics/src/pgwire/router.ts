import { DuckDBDataChunk, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { Identity } from '@lgr/kit';
import { SQL_VIEWS } from '../sandbox/guard';
import { rowsWithinBudget } from '../sandbox/results';
import { ChunkTaken, ResultSink, Sandbox } from '../sandbox/sandbox';
import { AnalystSql } from '../sandbox/service';
import { CatalogDatabase } from './catalog/database';
import { CatalogRelation, OID } from './catalog/tables';
import { ParamValue, pgTypeOf, typeModifierOf } from './types';

/** A result column as DuckDB typed it. */
export interface ResultColumn {
  readonly name: string;
  readonly type: DuckDBType;
}

/** A whole answer, kept so that Execute can hand it out in pieces. */
export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: DuckDBValue[][];
  readonly truncated: boolean;
}

/** The columns and parameter types of a query before it runs. */
export interface QueryDescription {
  readonly columns: readonly ResultColumn[] | null;
  readonly params: readonly (DuckDBType | null)[];
}

/** Collects a sandbox answer as rows of DuckDB values. */
class RowsSink implements ResultSink {
  columnsOf: ResultColumn[] = [];
  readonly rows: DuckDBValue[][] = [];

  columns(names: readonly string[], types: readonly DuckDBType[]): void {
    this.columnsOf = names.map((name, i) => ({ name, type: types[i]! }));
  }

  // Bounded like every sandbox answer: the rows that fit in the byte budget, measured as /sql would send them.
  chunk(chunk: DuckDBDataChunk, budgetBytes: number): ChunkTaken {
    const taken = rowsWithinBudget(chunk, budgetBytes);
    const rows = chunk.getRows();
    for (let i = 0; i < taken.rows; i += 1) this.rows.push(rows[i] as DuckDBValue[]);
    return taken;
  }
}

/** What the views are, for the catalogue's descriptions. */
const VIEW_DESCRIPTIONS: Readonly<Record<string, string>> = {
  observations:
    'Recorded figures, one row per indicator, unit version and period; not rolled up: use aggregate(indicators, units, periods) for rolled-up numbers',
  targets: 'Recorded targets, one row per indicator, unit version and target period',
  units: 'Every version of every administrative unit; id is code@valid_from, so a reused code is two rows',
  unit_tree: 'Each unit version with itself (depth 0) and with each of its ancestors',
  periods: 'Calendar periods (year, half, quarter, month) and congress terms',
  indicators: 'The indicator catalogue with each indicator rule, numerator and denominator',
};

/**
 * Describes the analysts' views for the catalogue: their columns as the sandbox types them (the
 * views have the same columns for every caller; only their rows depend on the scope).
 */
export async function viewRelations(sandbox: Sandbox): Promise<CatalogRelation[]> {
  const relations: CatalogRelation[] = [];
  for (const [i, view] of SQL_VIEWS.entries()) {
    const shape = await sandbox.describe(`SELECT * FROM ${view}`, {});
    relations.push({
      oid: OID.firstRelation + i,
      name: view,
      description: VIEW_DESCRIPTIONS[view] ?? view,
      columns: (shape.columns ?? []).map((c) => ({
        name: c.name,
        type: pgTypeOf(c.type),
        typeModifier: typeModifierOf(c.type),
      })),
    });
  }
  return relations;
}

/**
 * Sends each query of one connection where it can be answered: catalogue questions (pg_catalog,
 * information_schema, version(), ...) to the catalogue database, everything else to the analysts'
 * sandbox under the caller's identity, with its checks, scope and limits.
 */
export class QueryRouter {
  constructor(
    private readonly identity: Identity,
    private readonly sql: AnalystSql,
    private readonly catalog: () => Promise<CatalogDatabase>,
  ) {}

  async describe(text: string): Promise<QueryDescription> {
    const catalog = await this.catalog();
    if (await catalog.accepts(text)) return catalog.describe(text);
    return this.sql.describe(this.identity, text);
  }

  async execute(text: string, params: readonly ParamValue[], signal?: AbortSignal): Promise<QueryResult> {
    const catalog = await this.catalog();
    if (await catalog.accepts(text)) {
      const result = await catalog.run(text, params, this.sql.limits.maxRows + 1);
      const truncated = result.rows.length > this.sql.limits.maxRows;
      return {
        columns: result.columns,
        rows: truncated ? result.rows.slice(0, this.sql.limits.maxRows) : result.rows,
        truncated,
      };
    }
    const sink = new RowsSink();
    const summary = await this.sql.run(this.identity, text, sink, {}, { params, ...(signal ? { signal } : {}) });
    return { columns: sink.columnsOf, rows: sink.rows, truncated: summary.truncated };
  }
}
