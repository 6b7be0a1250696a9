import { ChildProcess, spawn } from 'node:child_process';
import { createServer, request, Server } from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, waitForExit } from './harness';

/** A service process started by {@link startServiceProcess}. */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly process: ChildProcess;
  readonly logs: string[];
  /** SIGTERM, then SIGKILL when it has not exited within 15 s. */
  stop(): Promise<void>;
}

/** The built entry point (`dist/main.js`) of a workspace package. */
export function entryOf(packageName: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), 'dist', 'main.js');
}

/**
 * Starts one service process on a free port with `env`, and resolves once its `/health` answers 200
 * (or `acceptAnyHealth`: any answer, for a gateway whose /health reports its subgraphs).
 */
export async function startServiceProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; acceptAnyHealth?: boolean } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (l) => logs.push(`${name}: ${l}`));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 15_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited (code ${child.exitCode}) while starting:\n${logs.slice(-20).join('\n')}`);
    const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200 || (options.acceptAnyHealth && status > 0)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not become healthy:\n${logs.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { name, url, process: child, logs, stop };
}

/** A small HTTP load balancer in front of replicas. */
export interface RoundRobinProxy {
  readonly url: string;
  /** How many requests each target got, in the order of the targets. */
  readonly served: number[];
  close(): Promise<void>;
}

/**
 * A round-robin HTTP proxy: each request goes to the next target in turn, body and headers passed
 * through both ways (what a load balancer in front of stateless replicas does).
 */
export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const served = targets.map(() => 0);
  let next = 0;
  const server: Server = createServer((req, res) => {
    const index = next;
    next = (next + 1) % targets.length;
    served[index] = served[index]! + 1;
    const target = new URL(req.url ?? '/', targets[index]);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${targets[index]} failed: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
