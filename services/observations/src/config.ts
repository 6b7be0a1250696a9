import { z } from 'zod';
import { parseConfig, portVar, secretOrDevSecret, serviceEnv } from '@lgr/kit';
import type { DomainServiceOptions } from './service';

/** The part of the options a domain service reads from its environment. */
export type DomainServiceConfig = Pick<
  DomainServiceOptions,
  'host' | 'port' | 'dataDir' | 'databaseUrl' | 'internalSecret' | 'referenceUrl' | 'logLevel' | 'demoData'
>;

/**
 * Reads a domain service's configuration from `env`: the variables every subgraph understands, the
 * port (`PORT`, default `defaultPort`) and `DEMO_DATA` (`on` loads the demo data into an empty store,
 * `off` never). In development, when `INTERNAL_SECRET` is not set, the secret the platform launcher
 * wrote to `<DATA_DIR>/dev-secrets.json` is used. Throws a ConfigError naming every bad variable.
 */
export function readDomainServiceConfig(
  defaultPort: number,
  env: Record<string, string | undefined>,
): DomainServiceConfig {
  const schema = z.object({
    ...serviceEnv,
    PORT: portVar(defaultPort),
    DEMO_DATA: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  });
  const withSecret = {
    ...env,
    INTERNAL_SECRET: secretOrDevSecret('internalSecret', env.INTERNAL_SECRET, {
      dataDir: env.DATA_DIR ?? './data',
      production: env.NODE_ENV === 'production',
    }),
  };
  const c = parseConfig(schema, withSecret);
  return {
    host: c.HOST,
    port: c.PORT,
    dataDir: c.DATA_DIR,
    databaseUrl: c.DATABASE_URL,
    internalSecret: c.INTERNAL_SECRET,
    referenceUrl: c.REFERENCE_URL,
    logLevel: c.LOG_LEVEL,
    demoData: c.DEMO_DATA === 'on',
  };
}
