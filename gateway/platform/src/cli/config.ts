import { resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '@lgr/kit/config';
import { secretOrDevSecret } from '@lgr/kit/dev-secrets';
import { gatewayGraphqlUrl, servicePortsEnv, serviceUrl } from '../service-ports';

const url = z.string().url().optional();

/**
 * The CLI finds the platform as the launcher started it: from HOST and GATEWAY_PORT ... SOCIAL_PORT
 * (the service table), unless PLATFORM_URL or a service's own URL says otherwise.
 */
const schema = z
  .object({
    ...servicePortsEnv,
    PLATFORM_TOKEN: z.string().min(1).optional(),
    PLATFORM_URL: z.string().url('expected the gateway URL, e.g. http://127.0.0.1:4000/graphql').optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    DATA_DIR: z.string().default('./data'),
    PARTY_URL: url,
    ECONOMY_URL: url,
    SOCIAL_URL: url,
  })
  .transform((c) => ({
    ...c,
    PLATFORM_URL: c.PLATFORM_URL ?? gatewayGraphqlUrl(c),
    PARTY_URL: c.PARTY_URL ?? serviceUrl(c, 'party'),
    ECONOMY_URL: c.ECONOMY_URL ?? serviceUrl(c, 'economy'),
    SOCIAL_URL: c.SOCIAL_URL ?? serviceUrl(c, 'social'),
  }));

/** What the platform CLI reads from its environment. */
export type CliConfig = z.infer<typeof schema>;

/** Reads the CLI's environment; throws a ConfigError naming every bad variable. */
export function readCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return parseConfig(schema, env);
}

/** Thrown when a command needs a secret that is neither configured nor in the development secrets. */
export class MissingSecretError extends Error {
  constructor(variable: string, dataDir: string) {
    super(
      `${variable} is not set and ${resolve(dataDir, 'dev-secrets.json')} does not exist; set ${variable} or start the platform once (npm start) to create development secrets`,
    );
    this.name = 'MissingSecretError';
  }
}

/** The JWT secret: JWT_SECRET, else the one a development platform wrote to `<DATA_DIR>/dev-secrets.json`. */
export function jwtSecret(config: CliConfig): string {
  const secret = secretOrDevSecret('jwtSecret', config.JWT_SECRET, { dataDir: config.DATA_DIR });
  if (!secret) throw new MissingSecretError('JWT_SECRET', config.DATA_DIR);
  return secret;
}

/** The secret that signs identities inside the platform: INTERNAL_SECRET, else the development one. */
export function internalSecret(config: CliConfig): string {
  const secret = secretOrDevSecret('internalSecret', config.INTERNAL_SECRET, { dataDir: config.DATA_DIR });
  if (!secret) throw new MissingSecretError('INTERNAL_SECRET', config.DATA_DIR);
  return secret;
}
