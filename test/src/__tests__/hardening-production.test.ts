import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SignJWT } from 'jose';
import { IDENTITY_HEADER } from '@lgr/kit';
import { freePort, postTo, waitForExit } from '../harness';

/**
 * Issue 10: a production start (`npm start` with NODE_ENV=production, run as the launcher process),
 * what it prints, and how long the tokens it accepts may live, at the gateway and at a subgraph.
 */

const JWT_SECRET = 'hardening-jwt-secret-0123456789abcdef0123456789';
const INTERNAL_SECRET = 'hardening-internal-secret-0123456789abcdef012345';
const JWT_LOOKS = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

let launcher: ChildProcess;
let dataDir: string;
const output: string[] = [];
const ports: Record<string, number> = {};

beforeAll(async () => {
  for (const name of ['GATEWAY', 'REFERENCE', 'PARTY', 'ECONOMY', 'SOCIAL', 'ANALYTICS'])
    ports[name] = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'lgr-production-'));
  const entry = join(dirname(require.resolve('@lgr/platform/package.json')), 'dist', 'launcher', 'main.js');
  launcher = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      JWT_SECRET,
      INTERNAL_SECRET,
      MAX_TOKEN_LIFETIME: '12h',
      LOG_LEVEL: 'info',
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [`${name}_PORT`, String(port)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [launcher.stdout!, launcher.stderr!])
    createInterface({ input: stream }).on('line', (l) => output.push(l));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.some((l) => l.includes('The platform is up.'))) {
        clearInterval(check);
        resolve();
      } else if (launcher.exitCode !== null) {
        clearInterval(check);
        reject(new Error(`The platform exited: ${output.slice(-30).join('\n')}`));
      }
    }, 200);
  });
}, 480_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    launcher.kill('SIGTERM');
    if (!(await waitForExit(launcher, 60_000))) launcher.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 90_000);

const gateway = () => `http://127.0.0.1:${ports.GATEWAY}/graphql`;

function sign(claims: Record<string, unknown>, secret: string, set: (jwt: SignJWT) => SignJWT): Promise<string> {
  return set(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('someone')).sign(
    new TextEncoder().encode(secret),
  );
}

describe('hardening: production start', () => {
  it('prints no token into its output', () => {
    const printed = output.join('\n');
    expect(printed).toContain('The platform is up.');
    expect(printed).toContain('no token is printed in production');
    expect(printed).not.toMatch(JWT_LOOKS);
  });
});

describe("hardening: lifetime of callers' tokens", () => {
  const ask = (token: string) => postTo(gateway(), { query: '{ terms { code } }' }, token);
  const now = () => Math.floor(Date.now() / 1000);
  const viewer = { role: 'viewer', units: ['304'] };

  it('accepts a token within MAX_TOKEN_LIFETIME', async () => {
    const res = await ask(await sign(viewer, JWT_SECRET, (j) => j.setIssuedAt().setExpirationTime('8h')));
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
  });

  it('refuses a token without exp and one that lives longer than MAX_TOKEN_LIFETIME', async () => {
    const noExp = await ask(await sign(viewer, JWT_SECRET, (j) => j.setIssuedAt()));
    expect({ status: noExp.status, code: noExp.json.errors[0].extensions.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    const year = await ask(await sign(viewer, JWT_SECRET, (j) => j.setIssuedAt().setExpirationTime('365d')));
    expect({ status: year.status, code: year.json.errors[0].extensions.code }).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(year.json.errors[0].message).toMatch(/longer than the 12 h allowed/);
    const future = await ask(
      await sign(viewer, JWT_SECRET, (j) =>
        j.setIssuedAt(now() + 300 * 86_400).setExpirationTime(now() + 300 * 86_400 + 3600),
      ),
    );
    expect(future.status).toBe(401);
  });
});

describe('hardening: identities forwarded to subgraphs', () => {
  const subgraph = () => `http://127.0.0.1:${ports.PARTY}/graphql`;
  const forwarded = (set: (jwt: SignJWT) => SignJWT) =>
    sign({ role: 'admin', units: [] }, INTERNAL_SECRET, (j) =>
      set(j.setIssuer('lgr-platform').setAudience('lgr-subgraphs')),
    );
  const ask = async (identity: string) =>
    postTo(subgraph(), { query: '{ __typename }' }, null, { [IDENTITY_HEADER]: identity });

  it('a subgraph accepts a short-lived forwarded identity', async () => {
    const res = await ask(await forwarded((j) => j.setIssuedAt().setExpirationTime('60s')));
    expect(res.status).toBe(200);
  });

  it('a subgraph refuses a forwarded identity without exp, without iat, or living longer than a hop needs', async () => {
    for (const [what, identity] of [
      ['no exp', await forwarded((j) => j.setIssuedAt())],
      ['no iat', await forwarded((j) => j.setExpirationTime('60s'))],
      ['a day', await forwarded((j) => j.setIssuedAt().setExpirationTime('1d'))],
    ] as const) {
      const res = await ask(identity);
      expect({ what, status: res.status }).toEqual({ what, status: 401 });
    }
  });
});
