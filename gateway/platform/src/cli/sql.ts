import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { readCliConfig } from './config';

/** How `sql` prints an answer. */
export type SqlOutputFormat = 'table' | 'csv' | 'json';

/** The JSON answer of `POST /sql`. */
export interface SqlAnswer {
  readonly columns: { name: string; type: string }[];
  readonly rows: unknown[][];
  readonly rowCount: number;
  readonly truncated: boolean;
}

/** Thrown when the platform refuses a query or cannot be reached; the message is for the user. */
export class SqlCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlCommandError';
  }
}

/** Where `/sql` lives: on the host of PLATFORM_URL (the gateway proxies it to analytics). */
export function sqlEndpoint(platformUrl: string): string {
  return new URL('/sql', platformUrl).toString();
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value.replace(/\r?\n/g, '\\n');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Width of text in a terminal, counting characters rather than UTF-16 units. */
function width(text: string): number {
  return [...text.normalize('NFC')].length;
}

function pad(text: string, size: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return right ? fill + text : text + fill;
}

/** An answer as an aligned text table: numbers to the right, NULL for missing values, a row count below. */
export function formatTable(answer: SqlAnswer): string {
  const header = answer.columns.map((c) => c.name);
  const numeric = answer.columns.map((c) => NUMERIC.test(c.type));
  const cells = answer.rows.map((row) => row.map(cellText));
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ''))));
  const line = (values: string[], alignRight: boolean[]) =>
    values.map((v, i) => pad(v, widths[i]!, alignRight[i]!)).join(' | ');
  const out = [
    line(
      header,
      header.map(() => false),
    ),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
  ];
  for (const row of cells) out.push(line(row, numeric));
  const count = `(${answer.rowCount} row${answer.rowCount === 1 ? '' : 's'}${answer.truncated ? `; cut off at ${answer.rowCount}, ask for fewer rows` : ''})`;
  return `${out.join('\n')}\n${count}\n`;
}

/** Sends a query to `/sql` and returns the answer as text in the format asked for. */
export async function runSql(options: {
  url: string;
  token: string;
  sql: string;
  format: SqlOutputFormat;
  timeoutMs?: number;
}): Promise<{ text: string; rowCount?: number; truncated: boolean }> {
  let res: Response;
  try {
    res = await fetch(sqlEndpoint(options.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify({ sql: options.sql, format: options.format === 'csv' ? 'csv' : 'json' }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
    });
  } catch (error) {
    throw new SqlCommandError(`Cannot reach ${sqlEndpoint(options.url)}: ${(error as Error).message}`);
  }
  const body = await res.text();
  if (!res.ok) {
    let message = `HTTP ${res.status}: ${body.slice(0, 300)}`;
    try {
      const parsed = JSON.parse(body) as { errors?: { message: string; extensions?: { code?: string } }[] };
      if (parsed.errors?.length)
        message = parsed.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n');
    } catch {
      // Not JSON: the status and the start of the body say enough.
    }
    throw new SqlCommandError(message);
  }
  if (options.format === 'csv') return { text: body, truncated: res.headers.get('x-result-truncated') === 'true' };
  let answer: SqlAnswer;
  try {
    answer = JSON.parse(body) as SqlAnswer;
  } catch {
    throw new SqlCommandError(`${sqlEndpoint(options.url)} answered something that is not JSON: ${body.slice(0, 200)}`);
  }
  const text = options.format === 'json' ? `${JSON.stringify(answer, null, 2)}\n` : formatTable(answer);
  return { text, rowCount: answer.rowCount, truncated: answer.truncated };
}

/**
 * Adds `sql "<SELECT ...>" [--format table|csv|json] [--out file] [--token jwt]`: runs a read-only
 * query over the analysts' views (observations, targets, units, unit_tree, periods, indicators)
 * through the platform's `/sql` endpoint and prints the answer, a table by default. Needs the analyst
 * or admin role; the token comes from `--token` or PLATFORM_TOKEN, the host from PLATFORM_URL.
 */
export function registerSqlCommand(program: Command, env: Record<string, string | undefined> = process.env): Command {
  return program
    .command('sql')
    .description(
      "Run a read-only SQL query over the analysts' views (observations, targets, units, unit_tree, periods, indicators)",
    )
    .argument('<query>', 'one SELECT statement, e.g. "SELECT unit_code, value FROM observations LIMIT 10"')
    .addOption(
      new Option('--format <format>', 'how to print the answer').choices(['table', 'csv', 'json']).default('table'),
    )
    .option('--out <file>', 'write the answer to this file instead of standard output')
    .option('--token <jwt>', 'bearer token of an analyst or admin (default: PLATFORM_TOKEN)')
    .action(async function (
      this: Command,
      query: string,
      opts: { format: SqlOutputFormat; out?: string; token?: string },
    ) {
      const config = readCliConfig(env);
      const token = opts.token ?? config.PLATFORM_TOKEN;
      if (!token)
        this.error('No token: pass --token <jwt> or set PLATFORM_TOKEN (npm run token mints one in development)', {
          exitCode: 2,
        });
      try {
        const result = await runSql({ url: config.PLATFORM_URL, token: token!, sql: query, format: opts.format });
        if (opts.out) {
          await writeFile(opts.out, result.text, 'utf8');
          const rows =
            result.rowCount === undefined ? '' : ` ${result.rowCount} row${result.rowCount === 1 ? '' : 's'} to`;
          process.stderr.write(`Wrote${rows} ${opts.out}${result.truncated ? ' (cut off at the row limit)' : ''}\n`);
        } else {
          process.stdout.write(result.text);
          if (result.truncated && opts.format === 'csv')
            process.stderr.write('The answer was cut off at the row limit\n');
        }
      } catch (error) {
        if (error instanceof SqlCommandError) this.error(error.message, { exitCode: 1 });
        throw error;
      }
    });
}
