import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { Platform, readPlatformConfig, startPlatform } from '@lgr/gateway';
import type { ChildProcess } from 'node:child_process';

/** A whole platform of real processes on free ports and a fresh data directory, for one test file. */
export interface TestPlatform {
  readonly gatewayUrl: string;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly ports: Record<'gateway' | 'reference' | 'party' | 'economy' | 'social' | 'analytics', number>;
  readonly adminToken: string;
  readonly internalSecret: string;
  /** Every log line the processes printed, for diagnosing a failure. */
  readonly logs: string[];
  token(role: string, units?: string[], claims?: Record<string, unknown>): Promise<string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  process(name: string): ChildProcess | undefined;
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface GqlResponse<T> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the platform exactly as `npm start` does (separate processes, real HTTP, embedded stores or
 * PostgreSQL when `databaseUrl` is given), on free ports so tests never collide with a running one.
 */
export async function startTestPlatform(options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<TestPlatform> {
  const names = ['gateway', 'reference', 'party', 'economy', 'social', 'analytics'] as const;
  const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()] as const))) as TestPlatform['ports'];
  const dataDir = mkdtempSync(join(tmpdir(), 'lgr-platform-'));
  const jwtSecret = 'test-jwt-secret-0123456789abcdef0123456789abcdef';
  const config = readPlatformConfig({
    DATA_DIR: dataDir,
    JWT_SECRET: jwtSecret,
    INTERNAL_SECRET: 'test-internal-secret-0123456789abcdef012345678',
    GATEWAY_PORT: String(ports.gateway),
    REFERENCE_PORT: String(ports.reference),
    PARTY_PORT: String(ports.party),
    ECONOMY_PORT: String(ports.economy),
    SOCIAL_PORT: String(ports.social),
    ANALYTICS_PORT: String(ports.analytics),
    LOG_LEVEL: 'warn',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const logs: string[] = [];
  let platform: Platform;
  try {
    platform = await startPlatform(config, (line: string) => logs.push(line), options.env ?? {});
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- platform output ---\n${logs.slice(-60).join('\n')}`);
  }
  const gatewayUrl = platform.gatewayUrl;
  const token = (role: string, units: string[] = [], claims: Record<string, unknown> = {}) =>
    new SignJWT({ role, units, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`test-${role}-${units.join('-') || 'all'}`)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(jwtSecret));
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, bearer: string | null = platform.adminToken) => {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as Omit<GqlResponse<T>, 'status'>;
    return { status: res.status, ...body };
  };
  return {
    gatewayUrl,
    baseUrl: gatewayUrl.replace(/\/graphql$/, ''),
    dataDir,
    ports,
    adminToken: platform.adminToken,
    internalSecret: platform.internalSecret,
    logs,
    token,
    gql,
    process: platform.process,
    restart: platform.restart,
    stop: async () => {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
