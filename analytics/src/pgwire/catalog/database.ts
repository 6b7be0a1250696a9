import {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBType,
  DuckDBTypeId,
  DuckDBValue,
} from '@duckdb/node-api';
import { ParamValue } from '../types';
import { CATALOG_MACROS, DEFAULT_SETTINGS, TYPE_ALIASES } from './functions';
import { relationRows } from './rows';
import { rewriteCatalogQuery } from './rewrite';
import { CATALOG_TABLES, CatalogRelation, createCatalogTableSql, OID, Row, SYSTEM_RELATIONS } from './tables';

/** A query's answer: its columns and all its rows (catalogue answers are small). */
export interface CatalogResult {
  readonly columns: { readonly name: string; readonly type: DuckDBType }[];
  readonly rows: DuckDBValue[][];
}

/** Thrown for a query the catalogue database refuses or cannot answer. */
export class CatalogQueryError extends Error {
  constructor(
    message: string,
    readonly sqlState: string,
  ) {
    super(message);
    this.name = 'CatalogQueryError';
  }
}

/** Table functions catalogue queries use (psql unnests option arrays). */
const CATALOG_TABLE_FUNCTIONS = new Set(['unnest', 'generate_series', 'range', 'generate_subscripts']);

/** Functions never run here even though the database holds nothing but the catalogue. */
const DENIED =
  /^(duckdb_|read_|pragma_|parquet_|glob$|sniff_csv$|query$|query_table$|getenv$|which_secret$|json_execute_serialized_sql$|json_deserialize_sql$|json_serialize_plan$|checkpoint$|force_checkpoint$|test_|arrow_|enable_|disable_)/i;

/**
 * An in-memory DuckDB database holding the emulated `pg_catalog` and `information_schema` that
 * describe the analysts' views to PostgreSQL clients, and the functions they call on connect. It
 * holds no figures, is opened with file and network access off and its configuration locked, and
 * runs single SELECT statements only.
 */
export class CatalogDatabase {
  private relationsLoaded = false;

  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(): Promise<CatalogDatabase> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: '128MB',
      temp_directory: '',
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
      lock_configuration: 'true',
    });
    const db = new CatalogDatabase(instance);
    await db.withConnection(async (c) => {
      for (const [name, type] of TYPE_ALIASES) await c.run(`CREATE TYPE ${name} AS ${type}`);
      await c.run('CREATE SCHEMA lgr_information_schema');
      for (const table of Object.keys(CATALOG_TABLES)) await c.run(createCatalogTableSql(table));
      for (const macro of CATALOG_MACROS) await c.run(`CREATE OR REPLACE MACRO ${macro}`);
    });
    return db;
  }

  get loaded(): boolean {
    return this.relationsLoaded;
  }

  /** Replaces what the catalogue says about the views. */
  async load(relations: readonly CatalogRelation[]): Promise<void> {
    const rows = relationRows(relations, DEFAULT_SETTINGS);
    this.oids = new Map(relations.map((r) => [r.name, r.oid]));
    await this.withConnection(async (c) => {
      await c.run('BEGIN');
      for (const [table, tableRows] of Object.entries(rows)) {
        await c.run(`DELETE FROM ${table}`);
        for (const row of tableRows) await insert(c, table, row);
      }
      await c.run('COMMIT');
    });
    this.relationsLoaded = true;
  }

  private oids = new Map<string, number>();

  /** The OID of a relation by name (`'observations'::regclass`), 0 when there is none. */
  relationOid(name: string): number {
    return this.oids.get(name) ?? SYSTEM_RELATIONS[name] ?? 0;
  }

  /**
   * Whether `sql` is a catalogue query: after the catalogue rewrite it is one SELECT that reads only
   * catalogue tables (or no table at all). Anything else belongs to the analysts' sandbox.
   */
  async accepts(sql: string): Promise<boolean> {
    const tree = await this.parse(rewriteCatalogQuery(sql, (n) => this.relationOid(n)));
    if (!tree) return false;
    let catalogueOnly = true;
    visit(tree, (node) => {
      if (node.type === 'BASE_TABLE' && 'sample' in node) {
        const schema = String(node.schema_name ?? '');
        const name = schema ? `${schema}.${String(node.table_name)}` : String(node.table_name);
        if (!(name.toLowerCase() in CATALOG_TABLES)) catalogueOnly = false;
      }
      if (node.type === 'TABLE_FUNCTION' && 'sample' in node) {
        const fn = String((node.function as { function_name?: string } | undefined)?.function_name ?? '').toLowerCase();
        if (!CATALOG_TABLE_FUNCTIONS.has(fn)) catalogueOnly = false;
      }
    });
    return catalogueOnly;
  }

  /** The columns of a catalogue query and its parameters' types, without running it. */
  async describe(sql: string): Promise<{ columns: CatalogResult['columns'] | null; params: (DuckDBType | null)[] }> {
    return this.withPrepared(sql, async (p) => {
      const params: (DuckDBType | null)[] = [];
      for (let i = 1; i <= p.parameterCount; i += 1)
        params.push(p.parameterTypeId(i) === DuckDBTypeId.INVALID ? null : p.parameterType(i));
      const columns: CatalogResult['columns'] = [];
      for (let i = 0; i < p.columnCount; i += 1) {
        if (p.columnTypeId(i) === DuckDBTypeId.INVALID) return { columns: null, params };
        columns.push({ name: columnName(p.columnName(i)), type: p.columnType(i) });
      }
      return { columns, params };
    });
  }

  /** Runs a catalogue query with its parameters, answering at most `maxRows` rows. */
  async run(sql: string, params: readonly ParamValue[], maxRows: number): Promise<CatalogResult> {
    return this.withPrepared(sql, async (p) => {
      if (params.length) {
        p.bind(
          params.map((x) => x.value),
          params.map((x) => x.type),
        );
      }
      const reader = await p.runAndReadUntil(maxRows);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name: columnName(name), type: types[i]! })),
        rows: reader.getRows().slice(0, maxRows) as DuckDBValue[][],
      };
    });
  }

  close(): void {
    this.instance.closeSync();
  }

  private async withPrepared<T>(sql: string, fn: (p: DuckDBPreparedStatement) => Promise<T>): Promise<T> {
    const text = rewriteCatalogQuery(sql, (n) => this.relationOid(n));
    const tree = await this.parse(text);
    if (!tree) throw new CatalogQueryError('Only SELECT statements can be answered from the catalogue', '0A000');
    visit(tree, (node) => {
      const fnName = typeof node.function_name === 'string' ? node.function_name : undefined;
      if (fnName && DENIED.test(fnName))
        throw new CatalogQueryError(`The function ${fnName}() is not allowed`, '42883');
    });
    return this.withConnection(async (c) => {
      let prepared: DuckDBPreparedStatement | undefined;
      try {
        const extracted = await c.extractStatements(text);
        if (extracted.count !== 1) throw new CatalogQueryError('Send one statement at a time', '0A000');
        prepared = await extracted.prepare(0);
        return await fn(prepared);
      } catch (error) {
        if (error instanceof CatalogQueryError) throw error;
        throw new CatalogQueryError(firstLine((error as Error).message), sqlStateOf((error as Error).message));
      } finally {
        prepared?.destroySync();
      }
    });
  }

  /** The parse tree of one SELECT, or undefined for anything else. */
  private async parse(sql: string): Promise<unknown> {
    const text = await this.withConnection(async (c) => {
      const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
      return String(reader.getRows()[0]![0]);
    });
    const parsed = JSON.parse(text.replace(/"query_location":\d{16,}/g, '"query_location":0')) as {
      error?: boolean;
      statements?: { node: unknown }[];
    };
    if (parsed.error || parsed.statements?.length !== 1) return undefined;
    return parsed.statements[0]!.node;
  }

  private async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.instance.connect();
    try {
      return await fn(c);
    } finally {
      c.closeSync();
    }
  }
}

async function insert(c: DuckDBConnection, table: string, row: Row): Promise<void> {
  const columns = CATALOG_TABLES[table]!;
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  await c.run(`INSERT INTO ${table} VALUES (${placeholders})`, [...row]);
}

function visit(value: unknown, fn: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, fn);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Record<string, unknown>;
  fn(node);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'value' && node.class === 'CONSTANT') continue;
    visit(child, fn);
  }
}

/** PostgreSQL names an unaliased function call's column after the function (`version`, not `"version"()`). */
function columnName(name: string): string {
  const call = /^(?:main\.)?"?([A-Za-z_][A-Za-z_0-9]*)"?\(.*\)$/s.exec(name);
  return call ? call[1]! : name;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** The SQLSTATE of a DuckDB error, by its kind. */
function sqlStateOf(message: string): string {
  if (/^Catalog Error: Table .* does not exist/.test(message)) return '42P01';
  if (/^Catalog Error: .*Function/i.test(message)) return '42883';
  if (/^Binder Error: .*column/i.test(message)) return '42703';
  if (/^Parser Error/.test(message)) return '42601';
  return '42000';
}

export { OID };
