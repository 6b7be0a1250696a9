import { z } from 'zod';
import { defaultPort, parseConfig, portVar, serviceEnv } from '@lgr/kit';

const schema = z.object({
  ...serviceEnv,
  PORT: portVar(defaultPort('reference')),
  UNITS_DIR: z.string().min(1).optional(),
});

export type ReferenceConfig = z.infer<typeof schema>;

/** Reads the reference service's configuration; throws a ConfigError naming every bad variable. */
export function readConfig(env: Record<string, string | undefined> = process.env): ReferenceConfig {
  return parseConfig(schema, env);
}
