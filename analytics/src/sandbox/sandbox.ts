import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBType,
  listValue,
} from '@duckdb/node-api';
import { checkSql, SerializedSql, SqlRejection } from './guard';
import { ReadWriteLock } from './lock';
import { ALLOWED_INDICATORS_TABLE, ALLOWED_UNITS_TABLE, createDataTableSql, DATA_SCHEMA, DataTable, viewStatements } from './views';

/** Settings of the sandbox instance; they cannot be changed once it is open. */
export interface SandboxOptions {
  /** Worker threads for analysts' queries (default 1, so they cannot crowd out aggregates). */
  readonly threads?: number;
  /** DuckDB memory limit for analysts' queries, e.g. `512MB`. */
  readonly memoryLimit?: string;
}

export interface RunLimits {
  /** The query is interrupted after this long. */
  readonly timeoutMs: number;
  /** Rows beyond this are not read; the answer says it was truncated. */
  readonly maxRows: number;
}

/** Receives a query's columns and then its rows, chunk by chunk. */
export interface ResultSink {
  columns(names: readonly string[], types: readonly DuckDBType[]): void | Promise<void>;
  chunk(chunk: DuckDBDataChunk): void | Promise<void>;
}

/** What a caller may see through the views; undefined means no restriction. */
export interface SandboxAccess {
  readonly units?: ReadonlySet<string>;
  readonly indicators?: readonly string[];
}

export interface RunSummary {
  readonly rowCount: number;
  readonly truncated: boolean;
}

/** Thrown when an analyst's query ran past its time limit and was interrupted. */
export class SandboxTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The query ran longer than ${timeoutMs} ms and was stopped`);
    this.name = 'SandboxTimeoutError';
  }
}

/** Thrown when DuckDB refuses or fails an accepted query (a bind error, a type error, out of memory). */
export class SandboxQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxQueryError';
  }
}

/**
 * The DuckDB instance that runs analysts' SQL. It is a separate in-memory database holding a copy of
 * the data behind the documented views, opened with file and network access off, extension
 * installing and autoloading off, no spill directory, and its configuration locked, so that even a
 * query that slipped past {@link checkSql} could reach no file, no setting and no table of the
 * analytics store. Each query runs on its own connection whose TEMP views show only the caller's
 * units.
 */
export class Sandbox {
  private readonly lock = new ReadWriteLock();
  private closed = false;

  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(options: SandboxOptions = {}): Promise<Sandbox> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? 1),
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
      // Without a temp directory nothing spills to disk, and DuckDB adds no directory to the ones
      // it allows despite enable_external_access = false.
      temp_directory: '',
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
      lock_configuration: 'true',
    });
    const sandbox = new Sandbox(instance);
    await sandbox.withConnection(async (c) => {
      await c.run(`CREATE SCHEMA IF NOT EXISTS ${DATA_SCHEMA}`);
      for (const table of ['facts', 'units', 'unit_tree', 'periods', 'indicators'] as const) await c.run(createDataTableSql(table));
    });
    return sandbox;
  }

  /**
   * Replaces the contents of base tables: each `fill` appends the new rows. Waits for running queries
   * and holds new ones back until every table is replaced, so a query never sees half a refresh.
   */
  async replace(fills: Partial<Record<DataTable, (appender: DuckDBAppender) => Promise<void> | void>>): Promise<void> {
    await this.lock.write(() =>
      this.withConnection(async (c) => {
        for (const [table, fill] of Object.entries(fills) as [DataTable, (a: DuckDBAppender) => Promise<void> | void][]) {
          await c.run(createDataTableSql(table));
          const appender = await c.createAppender(table, DATA_SCHEMA);
          try {
            await fill(appender);
            appender.flushSync();
          } finally {
            appender.closeSync();
          }
        }
      }),
    );
  }

  /** Parses `sql` with DuckDB's parser and throws {@link SqlRejection} unless analysts may run it. */
  async check(sql: string): Promise<void> {
    const serialized = await this.withConnection(async (c) => {
      const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS ast', [sql]);
      return JSON.parse(String(reader.getRows()[0]![0])) as SerializedSql;
    });
    checkSql(sql, serialized);
  }

  /**
   * Checks and runs one analyst's query over the views of a caller who may see the units and
   * indicators of `access` (all of them where undefined), handing its columns and up to `maxRows`
   * rows to `sink`.
   */
  async run(sql: string, access: SandboxAccess, limits: RunLimits, sink: ResultSink): Promise<RunSummary> {
    await this.check(sql);
    return this.lock.read(() =>
      this.withConnection(async (c) => {
        await this.prepareViews(c, access);
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          c.interrupt();
        }, limits.timeoutMs);
        let prepared: DuckDBPreparedStatement | undefined;
        try {
          const extracted = await c.extractStatements(sql);
          // The check above allows one statement only; running only a script of exactly one keeps it so
          // even if parsers disagreed.
          if (extracted.count !== 1) throw new SqlRejection(`Only one statement may be sent; found ${extracted.count}`);
          prepared = await extracted.prepare(0);
          const result = await prepared.stream();
          await sink.columns(result.columnNames(), result.columnTypes());
          let rowCount = 0;
          let truncated = false;
          for (;;) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) break;
            if (rowCount + chunk.rowCount > limits.maxRows) {
              truncated = true;
              chunk.rowCount = limits.maxRows - rowCount;
              if (chunk.rowCount > 0) await sink.chunk(chunk);
              rowCount = limits.maxRows;
              break;
            }
            rowCount += chunk.rowCount;
            await sink.chunk(chunk);
          }
          return { rowCount, truncated };
        } catch (error) {
          if (timedOut) throw new SandboxTimeoutError(limits.timeoutMs);
          if (error instanceof SqlRejection) throw error;
          throw new SandboxQueryError(firstLine((error as Error).message));
        } finally {
          clearTimeout(timer);
          prepared?.destroySync();
        }
      }),
    );
  }

  /** The security-relevant settings of the instance as DuckDB reports them. */
  async settings(): Promise<Record<string, string>> {
    const names = ['enable_external_access', 'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions', 'allowed_directories'];
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll('SELECT name, CAST(value AS VARCHAR) AS value FROM duckdb_settings() WHERE list_contains($1::VARCHAR[], name)', [listValue(names)]);
      return Object.fromEntries(names.map((n) => [n, String(reader.getRowObjects().find((r) => r.name === n)?.value)]));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.write(async () => this.instance.closeSync());
  }

  private async prepareViews(c: DuckDBConnection, access: SandboxAccess): Promise<void> {
    const fill = async (table: string, column: string, values: Iterable<string>): Promise<void> => {
      const name = table.split('.').pop()!;
      await c.run(`CREATE TEMP TABLE ${name} (${column} VARCHAR PRIMARY KEY)`);
      const appender = await c.createAppender(name, 'main', 'temp');
      try {
        for (const value of values) {
          appender.appendVarchar(value);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    };
    if (access.units) await fill(ALLOWED_UNITS_TABLE, 'id', access.units);
    if (access.indicators) await fill(ALLOWED_INDICATORS_TABLE, 'code', new Set(access.indicators));
    for (const statement of viewStatements({ units: access.units !== undefined, indicators: access.indicators !== undefined })) await c.run(statement);
  }

  private async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The SQL sandbox is closed');
    const connection = await this.instance.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
