import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';
import { secretOrDevSecret } from '@lgr/kit/dev-secrets';
import { SERVICE_TABLE, ServiceName, SUBGRAPH_NAMES } from '@lgr/kit/services';
import { gatewayGraphqlUrl, portOf, serviceUrl } from '../service-ports';
import { PlatformConfig } from './config';
import { LAUNCH_ID_VAR, LAUNCHER_PID_VAR } from '@lgr/kit/config';
import { LaunchError, preflight } from './preflight';
import { checkHealthIdentity, isBadPortError, LaunchAbortedError, sleepUnlessAborted } from './readiness';

/** One process of the platform and how to tell it is ready. */
export interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  readonly env: Record<string, string>;
  /** Ready once `/health` answers 200 and, when given, this holds for its JSON body. */
  readonly ready?: (health: Record<string, unknown>) => boolean;
}

export interface Platform {
  readonly gatewayUrl: string;
  readonly adminToken: string;
  readonly jwtSecret: string;
  readonly internalSecret: string;
  /** The running process of a service, if it is running. */
  process(name: string): ChildProcess | undefined;
  /** Starts a service that has stopped (after a crash or a kill) and waits until it is ready. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

type Output = (line: string) => void;

function entryOf(pkg: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', 'main.js');
}

/** The per-service database URL: `postgres://host/name` becomes `postgres://host/name_<service>`. */
export function serviceDatabaseUrl(base: string | undefined, service: string): string | undefined {
  return base ? `${base}_${service}` : undefined;
}

/** The package whose `dist/main.js` runs each service. */
const SERVICE_PACKAGES: Record<ServiceName, string> = {
  gateway: '@lgr/gateway',
  reference: '@lgr/reference',
  party: '@lgr/party',
  economy: '@lgr/economy',
  social: '@lgr/social',
  analytics: '@lgr/analytics',
};

/**
 * Start order: services that others depend on come first: reference (the unit catalogue), the domain
 * subgraphs (their demo data), analytics (caught up with every feed), then the gateway.
 */
const STAGES: readonly (readonly ServiceName[])[] = [
  ['reference'],
  ['party', 'economy', 'social'],
  ['analytics'],
  ['gateway'],
];

/** What the launcher tells every process: where it runs, its secrets, and every subgraph's URL. */
function commonEnv(config: PlatformConfig, internalSecret: string): Record<string, string> {
  const env: Record<string, string> = {
    HOST: config.HOST,
    DATA_DIR: resolve(config.DATA_DIR),
    INTERNAL_SECRET: internalSecret,
    NODE_ENV: config.NODE_ENV,
    LOG_LEVEL: config.LOG_LEVEL,
  };
  for (const name of SUBGRAPH_NAMES) env[SERVICE_TABLE[name].urlVar] = serviceUrl(config, name);
  return env;
}

/** The processes of the platform in start order, each with the environment it needs. */
export function platformServices(
  config: PlatformConfig,
  secrets: { jwtSecret: string; internalSecret: string },
): ServiceSpec[][] {
  const common = commonEnv(config, secrets.internalSecret);
  const service = (name: ServiceName): ServiceSpec => {
    const port = portOf(config, name);
    const databaseUrl = serviceDatabaseUrl(config.DATABASE_URL, name);
    return {
      name,
      entry: entryOf(SERVICE_PACKAGES[name]),
      port,
      env: {
        ...common,
        PORT: String(port),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...(name === 'gateway' ? { JWT_SECRET: secrets.jwtSecret } : {}),
        ...(name === 'analytics' ? analyticsEnv(config, secrets) : {}),
      },
      ...(name === 'analytics' ? { ready: (h: Record<string, unknown>) => h.caughtUp === true } : {}),
    };
  };
  return STAGES.map((stage) => stage.map(service));
}

/** The PostgreSQL endpoint's port: as configured, else 5433 in development and none in production. */
export function pgwirePort(config: PlatformConfig): number | undefined {
  if (config.PGWIRE_PORT === 'off') return undefined;
  if (config.PGWIRE_PORT !== undefined) return config.PGWIRE_PORT;
  return config.NODE_ENV === 'production' ? undefined : 5433;
}

/** Analytics verifies callers' tokens itself on its PostgreSQL endpoint, like the gateway on HTTP. */
function analyticsEnv(config: PlatformConfig, secrets: { jwtSecret: string }): Record<string, string> {
  const port = pgwirePort(config);
  return port === undefined ? {} : { PGWIRE_PORT: String(port), JWT_SECRET: secrets.jwtSecret };
}

/**
 * Starts every service as its own process, stage by stage, waiting for each stage to be ready, and
 * prints each process's log lines prefixed with its name. A process that dies is reported and left
 * down: the rest keep answering (the gateway returns partial data), which is what production does.
 */
export async function startPlatform(
  config: PlatformConfig,
  out: Output = (l) => process.stdout.write(`${l}\n`),
  /** Extra environment for every process (tests tune limits and intervals with it). */
  extraEnv: Record<string, string> = {},
  /** Aborting it during start-up stops every service started so far and rejects with LaunchAbortedError. */
  options: { signal?: AbortSignal } = {},
): Promise<Platform> {
  await preflight({
    host: config.HOST,
    dataDir: config.DATA_DIR,
    ports: Object.fromEntries(STAGES.flat().map((name) => [SERVICE_TABLE[name].portVar, portOf(config, name)])),
  });
  // Services answer /health with this id, so a program that happens to answer on a port is never
  // taken for one of them; with the launcher's pid they stop when it is gone.
  const launchId = randomBytes(12).toString('hex');
  const launchEnv = { [LAUNCH_ID_VAR]: launchId, [LAUNCHER_PID_VAR]: String(process.pid) };
  const secrets = platformSecrets(config);
  const children: { spec: ServiceSpec; child: ChildProcess; tail: string[] }[] = [];
  let stopping = false;

  const stop = async (): Promise<void> => {
    stopping = true;
    for (const { spec, child } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const exited = await waitForExit(child, 10_000);
      if (!exited) {
        out(`${spec.name} did not stop in 10 s; killing it`);
        child.kill('SIGKILL');
        await waitForExit(child, 2_000);
      }
    }
  };

  const launch = (spec: ServiceSpec): ChildProcess => {
    const child = spawn(process.execPath, [spec.entry], {
      env: { ...process.env, ...extraEnv, ...spec.env, ...launchEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const index = children.findIndex((c) => c.spec.name === spec.name);
    if (index >= 0) children[index] = { spec, child, tail };
    else children.push({ spec, child, tail });
    prefixLines(child, spec.name, out, tail);
    child.on('exit', (code, signal) => {
      if (!stopping) out(`${spec.name} exited (${signal ?? `code ${code}`}); the other services keep running`);
    });
    return child;
  };

  const ready = (spec: ServiceSpec, child: ChildProcess) =>
    waitUntilReady(spec, child, {
      timeoutMs: config.STARTUP_TIMEOUT_MS,
      launchId,
      tail: children.find((c) => c.child === child)?.tail ?? [],
      signal: options.signal,
    });
  try {
    for (const stage of platformServices(config, secrets)) {
      if (options.signal?.aborted) throw new LaunchAbortedError();
      const started = stage.map((spec) => ({ spec, child: launch(spec) }));
      await Promise.all(started.map(({ spec, child }) => ready(spec, child)));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const adminToken = await localAdminToken(secrets.jwtSecret);
  const running = (name: string) => {
    const entry = children.find((c) => c.spec.name === name);
    return entry && entry.child.exitCode === null && entry.child.signalCode === null ? entry : undefined;
  };
  return {
    gatewayUrl: gatewayGraphqlUrl(config),
    adminToken,
    ...secrets,
    process: (name) => running(name)?.child,
    restart: async (name) => {
      const entry = children.find((c) => c.spec.name === name);
      if (!entry) throw new Error(`No service is called ${name}`);
      if (running(name)) return;
      const child = launch(entry.spec);
      await ready(entry.spec, child);
    },
    stop,
  };
}

/** The configured secrets; in development, the ones kept in `<DATA_DIR>/dev-secrets.json` fill the gaps. */
function platformSecrets(config: PlatformConfig): { jwtSecret: string; internalSecret: string } {
  const fallback = { dataDir: config.DATA_DIR, production: config.NODE_ENV === 'production', create: true };
  const jwtSecret = secretOrDevSecret('jwtSecret', config.JWT_SECRET, fallback);
  const internalSecret = secretOrDevSecret('internalSecret', config.INTERNAL_SECRET, fallback);
  if (!jwtSecret || !internalSecret) throw new Error('JWT_SECRET and INTERNAL_SECRET must be set in production');
  return { jwtSecret, internalSecret };
}

/** The 12-hour admin token the launcher prints for the operator. */
function localAdminToken(jwtSecret: string): Promise<string> {
  return new SignJWT({ role: 'admin', units: [] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('local-admin')
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(new TextEncoder().encode(jwtSecret));
}

interface ReadyOptions {
  readonly timeoutMs: number;
  readonly launchId: string;
  /** The service's last output lines, quoted when it exits during start-up. */
  readonly tail: readonly string[];
  readonly signal?: AbortSignal | undefined;
}

/**
 * Waits until the service this launcher started answers `/health` as itself (its name and this
 * launch's id) and, when the spec says so, is ready. Fails at once when it exits, when another program
 * answers on its port, when fetch refuses the port, or when the launch is aborted.
 */
async function waitUntilReady(spec: ServiceSpec, child: ChildProcess, options: ReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new LaunchAbortedError();
    if (child.exitCode !== null || child.signalCode !== null) {
      const said = options.tail.length ? `:\n    ${options.tail.join('\n    ')}` : '';
      throw new LaunchError(
        `${spec.name} exited during start-up (${child.signalCode ?? `code ${child.exitCode}`})${said}`,
      );
    }
    try {
      const res = await fetch(`http://${spec.env.HOST}:${spec.port}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      const foreign = checkHealthIdentity(body, spec.name, options.launchId);
      if (foreign)
        throw new LaunchError(
          `Port ${spec.port} answers /health, but not as the ${spec.name} service this launcher started (${foreign}): another program is using it; stop it or choose another port`,
        );
      if (res.ok && (!spec.ready || spec.ready(body))) return;
      last = `HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`;
    } catch (error) {
      if (error instanceof LaunchError) throw error;
      if (isBadPortError(error))
        throw new LaunchError(
          `${spec.name}: fetch refuses to connect to port ${spec.port} ("bad port"); choose another port`,
        );
      last = (error as Error).message;
    }
    await sleepUnlessAborted(250, options.signal);
  }
  throw new LaunchError(`${spec.name} was not ready within ${options.timeoutMs / 1000} s (last health check: ${last})`);
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveWait) => {
    const timer = setTimeout(() => resolveWait(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveWait(true);
    });
  });
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * Shows pino's JSON lines as `name | LEVEL message {details}`, other lines as they are, and keeps the
 * last few in `tail` (quoted if the service exits during start-up).
 */
function prefixLines(child: ChildProcess, name: string, out: Output, tail: string[]): void {
  const label = name.padEnd(9);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      const shown = formatLogLine(line);
      tail.push(shown);
      if (tail.length > 5) tail.shift();
      out(`${label} | ${shown}`);
    });
  }
}

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const {
      level,
      msg,
      time: _t,
      pid: _p,
      hostname: _h,
      name: _n,
      service: _s,
      v: _v,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const details = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${LEVELS[level as number] ?? String(level)} ${String(msg ?? '')}${details}`;
  } catch {
    return line;
  }
}
