import { z } from 'zod';
import { defaultPort, DOMAIN_SERVICE_NAMES, parseConfig, portVar, serviceEnv, serviceUrlVars } from '@lgr/kit';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const schema = z.object({
  ...serviceEnv,
  PORT: portVar(defaultPort('analytics')),
  ...serviceUrlVars(DOMAIN_SERVICE_NAMES),
  SYNC_INTERVAL_MS: positiveInt(250),
  QUERY_TIMEOUT_MS: positiveInt(10_000),
  SQL_TIMEOUT_MS: positiveInt(5_000),
  SQL_MAX_ROWS: positiveInt(10_000),
  RESULT_CACHE_ENTRIES: nonNegativeInt(20_000),
  RESULT_CACHE_MB: positiveInt(64),
});

export type AnalyticsConfig = z.infer<typeof schema>;

/**
 * Reads the analytics service's environment. This is the only module of the service that looks at
 * `process.env`; it throws a ConfigError naming every variable that is wrong.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): AnalyticsConfig {
  return parseConfig(schema, env);
}
