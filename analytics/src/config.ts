import { z } from 'zod';
import { parseConfig, portVar, serviceEnv } from '@lgr/kit';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const schema = z.object({
  ...serviceEnv,
  PORT: portVar(4005),
  PARTY_URL: z.string().url().default('http://127.0.0.1:4002'),
  ECONOMY_URL: z.string().url().default('http://127.0.0.1:4003'),
  SOCIAL_URL: z.string().url().default('http://127.0.0.1:4004'),
  SYNC_INTERVAL_MS: positiveInt(250),
  QUERY_TIMEOUT_MS: positiveInt(10_000),
  SQL_TIMEOUT_MS: positiveInt(5_000),
  SQL_MAX_ROWS: positiveInt(10_000),
  SQL_MAX_BYTES: positiveInt(10_000_000),
  SQL_CONCURRENCY: positiveInt(2),
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
