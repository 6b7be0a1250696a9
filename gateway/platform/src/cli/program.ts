import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '@lgr/kit/config';
import { ROLES, UserRole } from '@lgr/kit/roles';
import { DOMAIN_SERVICE_NAMES } from '@lgr/kit/services';
import { CliConfig, internalSecret, jwtSecret, MissingSecretError, readCliConfig } from './config';
import { DEFAULT_BATCH_SIZE } from './ingest-options';
import { formatSeedResult, seedAll } from './seed';
import { registerSqlCommand } from './sql';
import { mintToken, tokenProblems } from './token';
import { DEFAULT_RATE_LIMIT_RETRIES, gatewayTransport, Transport } from './transport';

/** What the commands print to and read from; tests pass their own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly isTTY: boolean;
  /** Replaces the gateway transport (tests point the CLI straight at subgraphs). */
  readonly transport?: Transport;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/**
 * The ingest command's code, loaded when it runs: it reads files with the observations package's
 * parser, which the other commands need not load.
 */
function loadIngest(): typeof import('./ingest') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./ingest') as typeof import('./ingest');
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('expected a whole number between 1 and 10000');
  return n;
}

function nonNegativeInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw new InvalidArgumentError('expected a whole number between 0 and 1000');
  return n;
}

/** Wraps a command's action: its result becomes the exit code, and its errors a message and a code. */
type Guard = <A extends unknown[]>(action: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

/** What every command of the program shares. */
interface CommandContext {
  readonly io: CliIo;
  /** The environment, read when a command runs (so `--help` works with a bad environment). */
  readonly config: () => CliConfig;
  readonly guard: Guard;
}

/**
 * The platform CLI: `ingest`, `token`, `seed` and `sql`.
 * Each action sets `process.exitCode`-style results through `exitCode` instead of exiting, so the
 * program can run inside tests.
 */
export function createProgram(io: CliIo): { program: Command; exitCode: () => number } {
  let code = 0;
  const guard: Guard =
    (action) =>
    async (...args) => {
      try {
        code = await action(...args);
      } catch (error) {
        if (error instanceof ConfigError || error instanceof MissingSecretError) {
          io.err(error.message);
          code = 78;
        } else {
          io.err(`error: ${(error as Error).message}`);
          code = 1;
        }
      }
    };
  const context: CommandContext = { io, config: () => readCliConfig(io.env), guard };

  const program = new Command('lgr')
    .description('Local-government reporting platform: ingest figures, mint development tokens, load the demo data')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride();
  registerIngestCommand(program, context);
  registerTokenCommand(program, context);
  registerSeedCommand(program, context);
  registerSqlCommand(program, io.env);
  return { program, exitCode: () => code };
}

interface IngestCommandOptions {
  token?: string;
  gateway?: string;
  skipInvalid?: boolean;
  rejects?: string;
  batchSize: number;
  maxRetries: number;
}

function registerIngestCommand(program: Command, { io, config, guard }: CommandContext): void {
  program
    .command('ingest')
    .description(
      'Validate every row of a CSV or JSON-lines file (indicator,unit,period,value,target) and write it through the gateway',
    )
    .argument('<file>', 'a .csv file with a header row, or a .jsonl file with one object per line')
    .option('--token <jwt>', 'bearer token (default: PLATFORM_TOKEN)')
    .option('--gateway <url>', 'gateway GraphQL URL (default: PLATFORM_URL, else http://<HOST>:<GATEWAY_PORT>/graphql)')
    .option('--skip-invalid', 'write the good rows and put the bad ones, with their reasons, in a rejects file')
    .option('--rejects <file>', 'where --skip-invalid puts the bad rows (default: <file>.rejects.<ext>)')
    .option('--batch-size <n>', 'rows per request', positiveInt, DEFAULT_BATCH_SIZE)
    .option(
      '--max-retries <n>',
      'times one request refused as over the rate limit is sent again after the Retry-After wait',
      nonNegativeInt,
      DEFAULT_RATE_LIMIT_RETRIES,
    )
    .action(
      guard(async (file: string, opts: IngestCommandOptions) => {
        const c = config();
        let transport = io.transport;
        if (!transport) {
          const token = opts.token ?? c.PLATFORM_TOKEN;
          if (!token) {
            io.err(
              'No token: pass --token or set PLATFORM_TOKEN (e.g. PLATFORM_TOKEN=$(npm run -s token -- --role editor --units 304))',
            );
            return 2;
          }
          transport = gatewayTransport(opts.gateway ?? c.PLATFORM_URL, token, {
            maxRetries: opts.maxRetries,
            onWait: (seconds, retry, max) =>
              io.err(`${file}: the gateway's rate limit was reached; waiting ${seconds} s (retry ${retry} of ${max})`),
          });
        }
        // The first Ctrl-C discards what the subgraphs staged and writes nothing; a second one ends
        // the process at once.
        const interrupt = new AbortController();
        const onSignal = () => {
          io.err(
            `${file}: interrupted: no further batch is sent, and what was staged is discarded unless the commits have begun (Ctrl-C again to stop at once)`,
          );
          interrupt.abort();
        };
        process.once('SIGINT', onSignal);
        try {
          const { exitCode } = await loadIngest().runIngest({
            file,
            transport,
            skipInvalid: Boolean(opts.skipInvalid),
            ...(opts.rejects ? { rejectsFile: opts.rejects } : {}),
            batchSize: opts.batchSize,
            progress: io.isTTY,
            signal: interrupt.signal,
            out: io.out,
            err: io.err,
          });
          return exitCode;
        } finally {
          process.removeListener('SIGINT', onSignal);
        }
      }),
    );
}

function registerTokenCommand(program: Command, { io, config, guard }: CommandContext): void {
  program
    .command('token')
    .description('Mint a user token (HS256 with JWT_SECRET, or the development secret in <DATA_DIR>/dev-secrets.json)')
    .addOption(new Option('--role <role>', 'what the holder may do').choices([...ROLES]).default('admin'))
    .option('--units <codes>', 'comma-separated unit codes whose subtrees the holder may access, e.g. 304,305', '')
    .option('--sub <name>', 'who the token is for', 'dev')
    .option('--ttl <duration>', 'lifetime, e.g. 30m, 8h, 7d', '8h')
    .action(
      guard(async (opts: { role: UserRole; units: string; sub: string; ttl: string }) => {
        const units = opts.units
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
        const problems = tokenProblems({ role: opts.role, units, ttl: opts.ttl, sub: opts.sub });
        if (problems.length) {
          problems.forEach((p) => io.err(p));
          return 2;
        }
        if (opts.role !== 'admin' && !units.length) io.err(`warning: a ${opts.role} without --units can see no unit`);
        const c = config();
        io.out(
          await mintToken({
            role: opts.role,
            units,
            sub: opts.sub,
            ttl: opts.ttl,
            secret: jwtSecret(c),
            issuer: c.JWT_ISSUER,
            audience: c.JWT_AUDIENCE,
          }),
        );
        return 0;
      }),
    );
}

function registerSeedCommand(program: Command, { io, config, guard }: CommandContext): void {
  program
    .command('seed')
    .description(
      'Load the demo data (the seed report and the synthetic Hải Phòng data) into the party, economy and social subgraphs',
    )
    .action(
      guard(async () => {
        const c = config();
        const urls = { party: c.PARTY_URL, economy: c.ECONOMY_URL, social: c.SOCIAL_URL };
        const results = await seedAll(
          DOMAIN_SERVICE_NAMES.map((name) => ({ name, url: urls[name] })),
          internalSecret(c),
        );
        results.forEach((r) => (r.ok ? io.out : io.err)(formatSeedResult(r)));
        return results.every((r) => r.ok) ? 0 : 1;
      }),
    );
}

/** Runs the CLI with `argv` (without the node and script entries); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { program, exitCode } = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // commander's exitOverride: help, usage errors and commands that stop with `this.error` end up here
    // with their own exit code.
    const exit = (error as { exitCode?: number }).exitCode;
    return typeof exit === 'number' ? exit : 1;
  }
  return exitCode();
}
