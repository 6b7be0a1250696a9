import { z } from 'zod';
import { defaultPort, parseConfig, portVar, serviceUrlVars } from '@lgr/kit/config';
import { SUBGRAPH_NAMES } from '@lgr/kit/services';
import { findIndicator } from '@lgr/schema';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z
  .object({
    PORT: portVar(defaultPort('gateway')),
    HOST: z.string().default('127.0.0.1'),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWKS_URL: z.string().url().optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
    MAX_TOKEN_LIFETIME: z
      .string()
      .regex(/^\d+\s*(s|m|h|d)?$/, 'expected a lifetime such as 3600, 90m, 12h or 1d')
      .default('24h')
      .transform(durationSeconds),
    INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters; it signs identities forwarded to subgraphs'),
    // REFERENCE_URL ... ANALYTICS_URL: where each subgraph of the service table answers.
    ...serviceUrlVars(SUBGRAPH_NAMES),
    SUPERGRAPH_PATH: z.string().optional(),
    /** The console's built files; default: the console workspace's dist/. */
    CONSOLE_DIR: z.string().optional(),
    SUBGRAPH_TIMEOUT_MS: positiveInt(15_000),
    MAX_DEPTH: positiveInt(12),
    MAX_ALIASES: positiveInt(30),
    MAX_ROOT_FIELDS: positiveInt(10),
    MAX_COST: positiveInt(200_000),
    MAX_BODY_BYTES: positiveInt(1_000_000),
    MAX_BATCH: positiveInt(10),
    PERSISTED_QUERIES: z.enum(['apq', 'allowlist', 'off']).default('apq'),
    ALLOWLIST_PATH: z.string().optional(),
    RATE_LIMIT_PER_MINUTE: positiveInt(1200),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// URL; leave unset to count rate limits in each gateway alone')
      .optional(),
    PUBLIC_INDICATORS: z
      .string()
      .optional()
      .transform((s) =>
        s
          ? s
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : [],
      ),
  })
  .superRefine((c, ctx) => {
    if (!c.JWT_SECRET && !c.JWKS_URL) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['JWT_SECRET'],
        message: 'set JWT_SECRET (HS256) or JWKS_URL to verify callers',
      });
    }
    const unknown = c.PUBLIC_INDICATORS.filter((code) => !findIndicator(code));
    if (unknown.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['PUBLIC_INDICATORS'],
        message: `unknown indicator code${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; see the indicator catalogue`,
      });
    }
    if (c.PERSISTED_QUERIES === 'allowlist' && !c.ALLOWLIST_PATH) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['ALLOWLIST_PATH'],
        message: 'required when PERSISTED_QUERIES=allowlist',
      });
    }
  });

export type GatewayConfig = z.infer<typeof schema>;

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90m` -> 5400; a bare number is seconds. */
export function durationSeconds(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim())!;
  return Number(m[1]) * SECONDS[m[2] ?? 's']!;
}

/** Reads the gateway's environment once; throws a ConfigError listing every problem. */
export function readGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseConfig(schema, env);
}
