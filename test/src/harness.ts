import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';
import { Platform, readPlatformConfig, startPlatform } from '@lgr/platform';
import { Identity, IDENTITY_HEADER, signForwardedIdentity } from '@lgr/kit';

export type ServiceName = 'gateway' | 'reference' | 'party' | 'economy' | 'social' | 'analytics';

/** A whole platform of real processes on free ports and a fresh data directory, for one test file. */
export interface TestPlatform {
  readonly gatewayUrl: string;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly ports: Record<ServiceName, number>;
  /** The PostgreSQL wire-protocol endpoint of analytics (database `lgr`, a token as the password). */
  readonly pgwirePort: number;
  readonly adminToken: string;
  readonly jwtSecret: string;
  readonly internalSecret: string;
  /** Every log line the processes printed, for diagnosing a failure. */
  readonly logs: string[];
  /** Mints a caller's token; `claims.sub` names the caller (default: one name per role and units). */
  token(role: string, units?: string[], claims?: Record<string, unknown>): Promise<string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  process(name: string): ChildProcess | undefined;
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
  /** `http://127.0.0.1:<port>` of a service. */
  serviceUrl(name: ServiceName): string;
  /** POSTs a JSON body (or raw text) to a gateway path such as `/sql`; the token defaults to an admin's, null sends none. */
  post(path: string, body: unknown, token?: string | null, headers?: Record<string, string>): Promise<RawResponse>;
  /** Headers that make a direct call to a subgraph as `identity` (signed with the internal secret). */
  forwardedHeaders(identity: Identity): Promise<Record<string, string>>;
  /**
   * Starts one more gateway process over this platform's subgraphs with extra environment (limits,
   * NODE_ENV=production, PUBLIC_INDICATORS, PERSISTED_QUERIES...); stopped by {@link TestPlatform.stop}.
   */
  startGateway(env?: Record<string, string>): Promise<ExtraGateway>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any;
}

/** A gateway process started by {@link TestPlatform.startGateway}. */
export interface ExtraGateway {
  readonly url: string;
  readonly baseUrl: string;
  readonly process: ChildProcess;
  readonly logs: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  /** Like {@link TestPlatform.post}, against this gateway. */
  post(path: string, body: unknown, token?: string | null, headers?: Record<string, string>): Promise<RawResponse>;
  /** Sends SIGTERM and waits for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** POSTs to `url`: a string body is sent as it is, anything else as JSON. */
export async function postTo(
  url: string,
  body: unknown,
  token?: string | null,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function gqlAt<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  bearer: string | null | undefined,
): Promise<GqlResponse<T>> {
  const res = await postTo(url, { query, variables }, bearer);
  if (res.json === undefined) throw new Error(`Not JSON (HTTP ${res.status}): ${res.text.slice(0, 300)}`);
  return { status: res.status, ...(res.json as object) };
}

/** Waits until `child` has exited (true) or `ms` passed (false). */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
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
export async function startTestPlatform(
  options: { databaseUrl?: string; env?: Record<string, string>; dataDir?: string } = {},
): Promise<TestPlatform> {
  const names = ['gateway', 'reference', 'party', 'economy', 'social', 'analytics'] as const;
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await freePort()] as const)),
  ) as TestPlatform['ports'];
  const pgwirePort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lgr-platform-'));
  const jwtSecret = 'test-jwt-secret-0123456789abcdef0123456789abcdef';
  const internalSecret = 'test-internal-secret-0123456789abcdef012345678';
  const config = readPlatformConfig({
    DATA_DIR: dataDir,
    JWT_SECRET: jwtSecret,
    INTERNAL_SECRET: internalSecret,
    GATEWAY_PORT: String(ports.gateway),
    REFERENCE_PORT: String(ports.reference),
    PARTY_PORT: String(ports.party),
    ECONOMY_PORT: String(ports.economy),
    SOCIAL_PORT: String(ports.social),
    ANALYTICS_PORT: String(ports.analytics),
    PGWIRE_PORT: String(pgwirePort),
    LOG_LEVEL: 'warn',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const logs: string[] = [];
  let platform: Platform;
  try {
    platform = await startPlatform(config, (line: string) => logs.push(line), options.env ?? {});
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- platform output ---\n${logs.slice(-60).join('\n')}`, {
      cause: error,
    });
  }
  const gatewayUrl = platform.gatewayUrl;
  const token = (role: string, units: string[] = [], claims: Record<string, unknown> = {}) =>
    new SignJWT({ role, units, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(typeof claims.sub === 'string' ? claims.sub : `test-${role}-${units.join('-') || 'all'}`)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(jwtSecret));
  const gql = <T>(
    query: string,
    variables: Record<string, unknown> = {},
    bearer: string | null = platform.adminToken,
  ) => gqlAt<T>(gatewayUrl, query, variables, bearer);
  const serviceUrl = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const extraGateways: ExtraGateway[] = [];

  const startGateway = async (env: Record<string, string> = {}): Promise<ExtraGateway> => {
    const port = await freePort();
    const entry = join(dirname(require.resolve('@lgr/gateway/package.json')), 'dist', 'main.js');
    const child = spawn(process.execPath, [entry], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        JWT_SECRET: jwtSecret,
        INTERNAL_SECRET: internalSecret,
        REFERENCE_URL: serviceUrl('reference'),
        PARTY_URL: serviceUrl('party'),
        ECONOMY_URL: serviceUrl('economy'),
        SOCIAL_URL: serviceUrl('social'),
        ANALYTICS_URL: serviceUrl('analytics'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gatewayLogs: string[] = [];
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (l) => gatewayLogs.push(l));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`The extra gateway exited (code ${child.exitCode}): ${gatewayLogs.slice(-20).join('\n')}`);
      // Any answer means it listens; /health says 503 while a subgraph is down, which is fine here.
      const up = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The extra gateway did not answer within 30 s: ${gatewayLogs.slice(-20).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const gateway: ExtraGateway = {
      url: `${base}/graphql`,
      baseUrl: base,
      process: child,
      logs: gatewayLogs,
      gql: (query, variables = {}, bearer = platform.adminToken) => gqlAt(`${base}/graphql`, query, variables, bearer),
      post: (path, body, bearer = platform.adminToken, headers) => postTo(`${base}${path}`, body, bearer, headers),
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          if (!(await waitForExit(child, 15_000))) child.kill('SIGKILL');
          await waitForExit(child, 2000);
        }
        return child.exitCode;
      },
    };
    extraGateways.push(gateway);
    return gateway;
  };

  return {
    gatewayUrl,
    baseUrl: gatewayUrl.replace(/\/graphql$/, ''),
    dataDir,
    ports,
    pgwirePort,
    adminToken: platform.adminToken,
    jwtSecret,
    internalSecret: platform.internalSecret,
    logs,
    token,
    gql,
    process: platform.process,
    restart: platform.restart,
    serviceUrl,
    post: (path, body, bearer = platform.adminToken, headers) =>
      postTo(`${gatewayUrl.replace(/\/graphql$/, '')}${path}`, body, bearer, headers),
    forwardedHeaders: async (identity) => ({
      [IDENTITY_HEADER]: await signForwardedIdentity(identity, platform.internalSecret),
    }),
    startGateway,
    stop: async () => {
      await Promise.all(extraGateways.map((g) => g.stop()));
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
