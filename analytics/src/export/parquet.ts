import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DuckDBAppender, DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { appendCells, Cell, TypedColumn } from '../sandbox/data';
import { rowsWithinBudget } from '../sandbox/results';
import type { ChunkTaken, ResultSink } from '../sandbox/sandbox';

const TABLE = 'export_rows';

/** A string literal for SQL; only used for paths the service makes itself. */
function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function identifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Makes column names unique (`value`, `value_2`, ...), as a table needs them. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let candidate = name || 'column';
    for (let n = 2; seen.has(candidate.toLowerCase()); n += 1) candidate = `${name || 'column'}_${n}`;
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * Writes rows to a Parquet file with DuckDB. Each export gets its own in-memory instance that may
 * write only inside the export directory (allowed_directories with external access off, settings
 * locked) and that never sees analysts' SQL: only rows arrive here, appended through the appender,
 * and the one COPY statement is made here.
 */
export class ParquetWriter {
  private appender?: DuckDBAppender;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly dir: string,
  ) {}

  static async open(dir: string): Promise<ParquetWriter> {
    const root = resolve(dir);
    await mkdir(root, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      temp_directory: '',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      // allowed_directories can only be set before external access is switched off.
      await connection.run(`SET allowed_directories = [${sqlString(root + sep)}]`);
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
      return new ParquetWriter(instance, connection, root);
    } catch (error) {
      connection?.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /** Creates the table the rows go into; `columns` are names with DuckDB types. */
  async create(columns: readonly TypedColumn[]): Promise<void> {
    const names = uniqueNames(columns.map(([name]) => name));
    await this.connection.run(
      `CREATE TABLE ${TABLE} (${columns.map(([, type], i) => `${identifier(names[i]!)} ${type}`).join(', ')})`,
    );
    this.appender = await this.connection.createAppender(TABLE);
  }

  appendChunk(chunk: DuckDBDataChunk): void {
    this.requireAppender().appendDataChunk(chunk);
  }

  appendRows(columns: readonly TypedColumn[], rows: Iterable<readonly Cell[]>): void {
    appendCells(this.requireAppender(), columns, rows, 'export');
  }

  /** Writes the Parquet file and returns its path; the caller deletes it once it has been sent. */
  async write(): Promise<string> {
    const appender = this.requireAppender();
    appender.flushSync();
    appender.closeSync();
    this.appender = undefined;
    const path = join(this.dir, `${randomUUID()}.parquet`);
    await this.connection.run(`COPY ${TABLE} TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
    return path;
  }

  close(): void {
    try {
      this.appender?.closeSync();
    } finally {
      this.connection.closeSync();
      this.instance.closeSync();
    }
  }

  private requireAppender(): DuckDBAppender {
    if (!this.appender) throw new Error('ParquetWriter: create() must be called before rows are appended');
    return this.appender;
  }
}

/** Feeds an analyst's result into a {@link ParquetWriter}, chunk by chunk, keeping DuckDB's types. */
export class ParquetSink implements ResultSink {
  constructor(private readonly writer: ParquetWriter) {}

  async columns(names: readonly string[], types: readonly DuckDBType[]): Promise<void> {
    await this.writer.create(names.map((name, i) => [name, types[i]!.toString()] as const));
  }

  chunk(chunk: DuckDBDataChunk, budgetBytes: number): ChunkTaken {
    const taken = rowsWithinBudget(chunk, budgetBytes);
    if (taken.rows === 0) return taken;
    chunk.rowCount = taken.rows;
    this.writer.appendChunk(chunk);
    return taken;
  }
}
