import { z } from 'zod';
import { DEFAULT_HOST, defaultServiceUrl, SERVICE_TABLE, ServiceName, SubgraphName } from './services';

/** Thrown when the environment does not describe a usable configuration; lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against `schema` and returns the typed result, or throws a {@link ConfigError} that
 * names every variable that is wrong (not just the first).
 */
export function parseConfig<S extends z.ZodTypeAny>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
}

/** For `main.ts` files: print the problems and exit instead of a stack trace. */
export function exitOnConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

const port = z.coerce.number().int().min(0).max(65535);

/** A `<NAME>_URL` variable: the root URL of another service, its default port when unset. */
export function serviceUrlVar(name: ServiceName) {
  return z.string().url().default(defaultServiceUrl(name));
}

/** The default port of a service, from the service table. */
export function defaultPort(name: ServiceName): number {
  return SERVICE_TABLE[name].port;
}

type UrlVarName<N extends SubgraphName> = (typeof SERVICE_TABLE)[N]['urlVar'];

/** The `<NAME>_URL` variables of the services `names`, each defaulting to the service's own port. */
export function serviceUrlVars<N extends SubgraphName>(
  names: readonly N[],
): { [K in UrlVarName<N>]: z.ZodDefault<z.ZodString> } {
  return Object.fromEntries(names.map((n) => [SERVICE_TABLE[n].urlVar, serviceUrlVar(n)])) as {
    [K in UrlVarName<N>]: z.ZodDefault<z.ZodString>;
  };
}

/** The URLs read by {@link serviceUrlVars}, by service name. */
export function serviceUrlsOf<N extends SubgraphName>(
  names: readonly N[],
  config: { [K in UrlVarName<N>]: string },
): Record<N, string> {
  return Object.fromEntries(names.map((n) => [n, config[SERVICE_TABLE[n].urlVar as UrlVarName<N>]])) as Record<
    N,
    string
  >;
}

type PortVarName = (typeof SERVICE_TABLE)[ServiceName]['portVar'];

/**
 * `GATEWAY_PORT` ... `ANALYTICS_PORT`, each defaulting to its service's port: what the launcher
 * starts the services on and where the CLI finds them.
 */
export function servicePortVars(): { [K in PortVarName]: z.ZodDefault<z.ZodNumber> } {
  const entries = Object.values(SERVICE_TABLE).map(
    (s) => [s.portVar, z.coerce.number().int().min(1).max(65535).default(s.port)] as const,
  );
  return Object.fromEntries(entries) as { [K in PortVarName]: z.ZodDefault<z.ZodNumber> };
}

/** Environment variables every subgraph understands. */
export const serviceEnv = {
  HOST: z.string().default(DEFAULT_HOST),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL; leave unset for the embedded SQLite store')
    .optional(),
  INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters; it signs identities forwarded by the gateway'),
  REFERENCE_URL: serviceUrlVar('reference'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
};

export function portVar(defaultPort: number) {
  return port.default(defaultPort);
}

/** The environment variable through which the launcher gives every service it starts one id per launch. */
export const LAUNCH_ID_VAR = 'LGR_LAUNCH_ID';
/** The environment variable naming the launcher's process id (services stop when it is gone). */
export const LAUNCHER_PID_VAR = 'LGR_LAUNCHER_PID';

/** What the launcher told a service about itself: the launch id and its process id, when it started it. */
export function launchEnv(env: Record<string, string | undefined> = process.env): {
  launchId?: string;
  launcherPid?: number;
} {
  const launchId = env[LAUNCH_ID_VAR];
  const pid = Number(env[LAUNCHER_PID_VAR]);
  return { ...(launchId ? { launchId } : {}), ...(Number.isInteger(pid) && pid > 1 ? { launcherPid: pid } : {}) };
}
