import { z } from 'zod';
import { parseConfig } from '@lgr/kit/config';
import { servicePortsEnv } from '../service-ports';

const schema = z.object({
  DATA_DIR: z.string().default('./data'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/[^/]+\/[A-Za-z0-9_]+$/,
      'expected postgres://host:port/name; each service gets its own database name_<service>',
    )
    .optional(),
  // HOST and GATEWAY_PORT ... ANALYTICS_PORT, from the service table.
  ...servicePortsEnv,
  /** The PostgreSQL wire-protocol endpoint of analytics: a port (0 for any free one) or `off`; 5433 by default in development, off in production. */
  PGWIRE_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).optional(),
  STARTUP_TIMEOUT_MS: z.coerce.number().int().positive().default(240_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type PlatformConfig = z.infer<typeof schema>;

/** Reads the launcher's environment once; the services get theirs from the launcher. */
export function readPlatformConfig(env: Record<string, string | undefined>): PlatformConfig {
  return parseConfig(schema, env);
}
