import { z } from 'zod';
import { defaultPort, DOMAIN_SERVICE_NAMES, parseConfig, portVar, serviceEnv, serviceUrlVars } from '@lgr/kit';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const schema = z
  .object({
    ...serviceEnv,
    PORT: portVar(defaultPort('analytics')),
    ...serviceUrlVars(DOMAIN_SERVICE_NAMES),
    SYNC_INTERVAL_MS: positiveInt(250),
    QUERY_TIMEOUT_MS: positiveInt(10_000),
    SQL_TIMEOUT_MS: positiveInt(5_000),
    SQL_MAX_ROWS: positiveInt(10_000),
    SQL_MAX_BYTES: positiveInt(10_000_000),
    SQL_CONCURRENCY: positiveInt(2),
    RESULT_CACHE_ENTRIES: nonNegativeInt(20_000),
    RESULT_CACHE_MB: positiveInt(64),
    /** The PostgreSQL wire-protocol endpoint listens here when set (the launcher sets it in development). */
    PGWIRE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    PGWIRE_HOST: z.string().optional(),
    PGWIRE_TLS_KEY_FILE: z.string().optional(),
    PGWIRE_TLS_CERT_FILE: z.string().optional(),
    PGWIRE_MAX_CONNECTIONS: positiveInt(64),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWKS_URL: z.string().url().optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.PGWIRE_PORT !== undefined && !c.JWT_SECRET && !c.JWKS_URL) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['JWT_SECRET'],
        message: 'the PostgreSQL endpoint (PGWIRE_PORT) verifies callers: set JWT_SECRET (HS256) or JWKS_URL',
      });
    }
    if (Boolean(c.PGWIRE_TLS_KEY_FILE) !== Boolean(c.PGWIRE_TLS_CERT_FILE)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['PGWIRE_TLS_CERT_FILE'],
        message: 'set both PGWIRE_TLS_KEY_FILE and PGWIRE_TLS_CERT_FILE, or neither',
      });
    }
  });

export type AnalyticsConfig = z.infer<typeof schema>;

/**
 * Reads the analytics service's environment. This is the only module of the service that looks at
 * `process.env`; it throws a ConfigError naming every variable that is wrong.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): AnalyticsConfig {
  return parseConfig(schema, env);
}
