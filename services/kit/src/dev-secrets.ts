import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Secrets a development platform generates once and keeps in its data directory. */
export interface DevSecrets {
  readonly jwtSecret: string;
  readonly internalSecret: string;
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

/**
 * In development nobody should have to invent secrets: the first start writes random ones to
 * `<dataDir>/dev-secrets.json` (readable by the owner only) and later starts and the CLI reuse them.
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(resolve(dataDir), DEV_SECRETS_FILE);
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
    if (typeof parsed.jwtSecret === 'string' && typeof parsed.internalSecret === 'string') {
      return { jwtSecret: parsed.jwtSecret, internalSecret: parsed.internalSecret };
    }
  }
  mkdirSync(resolve(dataDir), { recursive: true });
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(32).toString('hex'),
    internalSecret: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** The secrets in `<dataDir>/dev-secrets.json`, if a development platform created them. */
export function readDevSecrets(dataDir: string): DevSecrets | undefined {
  const file = join(resolve(dataDir), DEV_SECRETS_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
}

/** Where a secret falls back to the development one, and whether that may be created. */
export interface DevSecretFallback {
  readonly dataDir: string;
  /** In production there is no fallback: the configured value is returned as it is. */
  readonly production?: boolean;
  /** Write `<dataDir>/dev-secrets.json` when it does not exist yet (the platform launcher). */
  readonly create?: boolean;
}

/**
 * A secret as configured, else (outside production) the development one from
 * `<dataDir>/dev-secrets.json`; undefined when there is neither.
 */
export function secretOrDevSecret(
  name: keyof DevSecrets,
  configured: string | undefined,
  fallback: DevSecretFallback,
): string | undefined {
  if (configured || fallback.production) return configured;
  const dev = fallback.create ? loadOrCreateDevSecrets(fallback.dataDir) : readDevSecrets(fallback.dataDir);
  return dev?.[name];
}
