import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBResult,
  DuckDBType,
  DuckDBTypeId,
  DuckDBValue,
  listValue,
} from '@duckdb/node-api';
import { boundedFunctionStatements } from './bounded-functions';
import { checkSql, SerializedSql, SqlRejection } from './guard';
import { ReadWriteLock } from './lock';
import {
  ALLOWED_INDICATORS_TABLE,
  ALLOWED_UNITS_TABLE,
  createDataTableSql,
  DATA_SCHEMA,
  DataTable,
  viewStatements,
} from './views';

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
  /** Bytes of the answer (as JSON) beyond this are not read; the answer says it was truncated. */
  readonly maxBytes: number;
}

/** How much of a chunk a sink took. */
export interface ChunkTaken {
  readonly rows: number;
  readonly bytes: number;
}

/** Receives a query's columns and then its rows, chunk by chunk. */
export interface ResultSink {
  columns(names: readonly string[], types: readonly DuckDBType[]): void | Promise<void>;
  /**
   * Takes the leading rows of `chunk` that fit in `budgetBytes` more bytes of answer (as JSON) and
   * says how many rows and bytes it took; fewer rows than the chunk has mean the answer is full.
   */
  chunk(chunk: DuckDBDataChunk, budgetBytes: number): ChunkTaken | Promise<ChunkTaken>;
}

/** Thrown when the caller went away (or gave up) before the query finished; the query was interrupted. */
export class SandboxCancelledError extends Error {
  constructor() {
    super('The query was cancelled because its caller went away');
    this.name = 'SandboxCancelledError';
  }
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

/** What a query needs besides its text: parameter values, and tables made for it alone. */
export interface RunExtras {
  /** Values of `$1`, `$2`, ... with the DuckDB types they are bound as. */
  readonly params?: readonly { readonly value: DuckDBValue; readonly type: DuckDBType }[];
  /**
   * Runs on the query's own connection after its views are set up and before the query: creates
   * the TEMP tables the query was rewritten to read (materialised `aggregate(...)` answers).
   */
  readonly prelude?: (connection: DuckDBConnection) => Promise<void>;
  /** Names of such TEMP tables, which the check accepts besides the views. */
  readonly tables?: readonly string[];
  /** Interrupts the query when aborted (a client's cancel request). */
  readonly signal?: AbortSignal;
}

/** The columns and parameters of a query, known without running it. */
export interface QueryShape {
  /** Null when DuckDB cannot tell them before the parameters are bound. */
  readonly columns: { readonly name: string; readonly type: DuckDBType }[] | null;
  /** The type DuckDB inferred for each parameter; null where it could not. */
  readonly params: (DuckDBType | null)[];
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
      for (const statement of boundedFunctionStatements()) await c.run(statement);
      await c.run(`CREATE SCHEMA IF NOT EXISTS ${DATA_SCHEMA}`);
      for (const table of ['facts', 'units', 'unit_tree', 'periods', 'indicators'] as const)
        await c.run(createDataTableSql(table));
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
        for (const [table, fill] of Object.entries(fills) as [
          DataTable,
          (a: DuckDBAppender) => Promise<void> | void,
        ][]) {
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
  async check(sql: string, tables: readonly string[] = []): Promise<void> {
    checkSql(sql, await this.parse(sql), { tables });
  }

  /** DuckDB's own parse of `sql` (`json_serialize_sql`), without checking it. */
  async parse(sql: string): Promise<SerializedSql> {
    const text = await this.withConnection(async (c) => {
      const reader = await c.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS ast', [sql]);
      return String(reader.getRows()[0]![0]);
    });
    // Unknown source locations are written as 2^64-1, which JSON numbers cannot hold; nothing here uses them.
    return JSON.parse(text.replace(/"query_location":\d{16,}/g, '"query_location":0')) as SerializedSql;
  }

  /** SQL text for a parse tree (`json_deserialize_sql`), as DuckDB writes it back. */
  async unparse(serialized: SerializedSql): Promise<string> {
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll('SELECT json_deserialize_sql($1::JSON) AS sql', [
        JSON.stringify(serialized),
      ]);
      return String(reader.getRows()[0]![0]);
    });
  }

  /**
   * Checks `sql` and tells its result columns and parameter types without running it, over the views
   * of `access` (and the tables of `extras.prelude`).
   */
  async describe(sql: string, access: SandboxAccess, extras: RunExtras = {}): Promise<QueryShape> {
    await this.check(sql, extras.tables);
    return this.lock.read(() =>
      this.withConnection(async (c) => {
        await this.prepareViews(c, access);
        await extras.prelude?.(c);
        let prepared: DuckDBPreparedStatement | undefined;
        try {
          prepared = await this.prepareOne(c, sql);
          return shapeOf(prepared);
        } catch (error) {
          if (error instanceof SqlRejection) throw error;
          throw new SandboxQueryError(firstLine((error as Error).message));
        } finally {
          prepared?.destroySync();
        }
      }),
    );
  }

  /**
   * Checks and runs one analyst's query over the views of a caller who may see the units and
   * indicators of `access` (all of them where undefined), handing its columns and as many rows as
   * `limits` allow to `sink`. An abort of `signal` interrupts the query.
   */
  async run(
    sql: string,
    access: SandboxAccess,
    limits: RunLimits,
    sink: ResultSink,
    extras: RunExtras = {},
  ): Promise<RunSummary> {
    await this.check(sql, extras.tables);
    const signal = extras.signal;
    return this.lock.read(() =>
      this.withConnection(async (c) => {
        await this.prepareViews(c, access);
        await extras.prelude?.(c);
        let stopped: 'timeout' | 'cancelled' | undefined;
        const stop = (why: 'timeout' | 'cancelled') => {
          stopped ??= why;
          c.interrupt();
        };
        const timer = setTimeout(() => stop('timeout'), limits.timeoutMs);
        const onAbort = () => stop('cancelled');
        signal?.addEventListener('abort', onAbort);
        let prepared: DuckDBPreparedStatement | undefined;
        try {
          if (signal?.aborted) throw new SandboxCancelledError();
          prepared = await this.prepareOne(c, sql);
          if (extras.params?.length) {
            prepared.bind(
              extras.params.map((p) => p.value),
              extras.params.map((p) => p.type),
            );
          }
          const result = await prepared.stream();
          await sink.columns(result.columnNames(), result.columnTypes());
          return await readRows(result, limits, sink, () => stopped !== undefined);
        } catch (error) {
          if (stopped === 'timeout') throw new SandboxTimeoutError(limits.timeoutMs);
          if (stopped === 'cancelled' || error instanceof SandboxCancelledError) throw new SandboxCancelledError();
          if (error instanceof SqlRejection) throw error;
          throw new SandboxQueryError(firstLine((error as Error).message));
        } finally {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          prepared?.destroySync();
        }
      }),
    );
  }

  /** The security-relevant settings of the instance as DuckDB reports them. */
  async settings(): Promise<Record<string, string>> {
    const names = [
      'enable_external_access',
      'lock_configuration',
      'autoinstall_known_extensions',
      'autoload_known_extensions',
      'allowed_directories',
    ];
    return this.withConnection(async (c) => {
      const reader = await c.runAndReadAll(
        'SELECT name, CAST(value AS VARCHAR) AS value FROM duckdb_settings() WHERE list_contains($1::VARCHAR[], name)',
        [listValue(names)],
      );
      return Object.fromEntries(names.map((n) => [n, String(reader.getRowObjects().find((r) => r.name === n)?.value)]));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.write(async () => this.instance.closeSync());
  }

  private async prepareOne(c: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
    const extracted = await c.extractStatements(sql);
    // The check allows one statement only; preparing only a script of exactly one keeps it so even
    // if parsers disagreed.
    if (extracted.count !== 1) throw new SqlRejection(`Only one statement may be sent; found ${extracted.count}`);
    return extracted.prepare(0);
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
    for (const statement of viewStatements({
      units: access.units !== undefined,
      indicators: access.indicators !== undefined,
    }))
      await c.run(statement);
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

/** Hands a result's chunks to `sink` until it ends or the answer is full (in rows or in bytes). */
async function readRows(
  result: DuckDBResult,
  limits: RunLimits,
  sink: ResultSink,
  interrupted: () => boolean,
): Promise<RunSummary> {
  let rowCount = 0;
  let bytes = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (interrupted()) throw new Error('interrupted');
    if (!chunk || chunk.rowCount === 0) return { rowCount, truncated: false };
    const room = limits.maxRows - rowCount;
    const cut = chunk.rowCount > room;
    if (cut) chunk.rowCount = room;
    const wanted = chunk.rowCount;
    const taken = wanted > 0 ? await sink.chunk(chunk, limits.maxBytes - bytes) : { rows: 0, bytes: 0 };
    rowCount += taken.rows;
    bytes += taken.bytes;
    if (cut || taken.rows < wanted) return { rowCount, truncated: true };
  }
}

/** The columns and parameter types of a prepared statement, where DuckDB knows them before binding. */
function shapeOf(prepared: DuckDBPreparedStatement): QueryShape {
  const params: (DuckDBType | null)[] = [];
  for (let i = 1; i <= prepared.parameterCount; i += 1) {
    params.push(prepared.parameterTypeId(i) === DuckDBTypeId.INVALID ? null : prepared.parameterType(i));
  }
  const columns: { name: string; type: DuckDBType }[] = [];
  for (let i = 0; i < prepared.columnCount; i += 1) {
    if (prepared.columnTypeId(i) === DuckDBTypeId.INVALID) return { columns: null, params };
    columns.push({ name: prepared.columnName(i), type: prepared.columnType(i) });
  }
  return { columns, params };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
