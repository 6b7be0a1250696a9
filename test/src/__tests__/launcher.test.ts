import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, waitForExit } from '../harness';
import { eventually } from '../support';

/**
 * The launcher (`npm start`) as an operator meets it: stopped during start-up it leaves no service
 * behind, and a port or data folder it cannot use is named at once instead of a hang or a stack trace.
 */

const LAUNCHER = join(dirname(require.resolve('@lgr/platform/package.json')), 'dist', 'launcher', 'main.js');
const PORT_VARS = [
  'GATEWAY_PORT',
  'REFERENCE_PORT',
  'PARTY_PORT',
  'ECONOMY_PORT',
  'SOCIAL_PORT',
  'ANALYTICS_PORT',
] as const;
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Launch {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly ports: Record<(typeof PORT_VARS)[number], number>;
}

async function launch(env: Record<string, string> = {}): Promise<Launch> {
  const ports = Object.fromEntries(
    await Promise.all(PORT_VARS.map(async (v) => [v, await freePort()] as const)),
  ) as Launch['ports'];
  const dataDir = mkdtempSync(join(tmpdir(), 'lgr-launcher-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [LAUNCHER], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  return { child, output, ports };
}

/** The processes whose parent is `pid` (read from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (in parentheses): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stoppedDuringStartup(signal: NodeJS.Signals): Promise<{ services: number[]; output: string }> {
  const { child, output } = await launch();
  // Wait until the first stage (reference) is ready and the domain subgraphs have been started.
  const services = await eventually(
    'the launcher to start the domain subgraphs',
    async () => {
      const pids = childrenOf(child.pid!);
      return pids.length >= 4 ? pids : undefined;
    },
    240_000,
    100,
  );
  child.kill(signal);
  expect(await waitForExit(child, 60_000)).toBe(true);
  // Every service it had started is gone (a killed launcher's services notice and stop themselves).
  await eventually('every service to stop', async () => (services.some(alive) ? undefined : true), 60_000);
  return { services, output: output.join('') };
}

it('stopped with SIGTERM during start-up, stops every service it had started', async () => {
  const { services, output } = await stoppedDuringStartup('SIGTERM');
  expect(services.length).toBeGreaterThanOrEqual(4);
  expect(output).toContain('Stopped during start-up; every service started so far has been stopped.');
});

it('killed (SIGKILL) during start-up, leaves no orphaned service behind', async () => {
  const { services } = await stoppedDuringStartup('SIGKILL');
  expect(services.length).toBeGreaterThanOrEqual(4);
});

it('names a port that another program answers on, instead of taking that program for the service', async () => {
  const port = await freePort();
  // A foreign program that answers 200 on /health, even claiming to be the reference service.
  const foreign: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","service":"reference"}'),
  );
  await new Promise<void>((r) => foreign.listen(port, '127.0.0.1', r));
  try {
    const { child, output } = await launch({ REFERENCE_PORT: String(port) });
    expect(await waitForExit(child, 60_000)).toBe(true);
    expect(child.exitCode).toBe(1);
    expect(output.join('')).toContain(`REFERENCE_PORT: port ${port} on 127.0.0.1 is in use by another program`);
  } finally {
    foreign.close();
  }
});

it('says at once that fetch refuses a port (6000) instead of waiting for a service it cannot reach', async () => {
  const { child, output } = await launch({ PARTY_PORT: '6000' });
  expect(await waitForExit(child, 60_000)).toBe(true);
  expect(child.exitCode).toBe(1);
  expect(output.join('')).toContain(
    'PARTY_PORT: 6000 is a port that fetch refuses to connect to ("bad port"); choose another',
  );
});

it('names a read-only data folder, without a stack trace', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'lgr-launcher-ro-')), 'data');
  dirs.push(dirname(dir));
  mkdirSync(dir);
  // File modes do not stop root: the immutable attribute does.
  if (process.getuid?.() === 0) execFileSync('chattr', ['+i', dir]);
  else execFileSync('chmod', ['555', dir]);
  try {
    const { child, output } = await launch({ DATA_DIR: dir });
    expect(await waitForExit(child, 60_000)).toBe(true);
    expect(child.exitCode).toBe(1);
    const text = output.join('');
    expect(text).toContain(`DATA_DIR ${dir} cannot be written`);
    expect(text).not.toMatch(/^\s+at /m);
  } finally {
    if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir]);
  }
});
