import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { portProblem } from '@lgr/kit/ports';

/** A reason the platform cannot start that the operator can fix; printed without a stack trace. */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

/** The ports the services will listen on, by the variable that sets each. */
export type PortPlan = Readonly<Record<string, number>>;

/** Ports `fetch` refuses (the launcher, the gateway and analytics could never reach them), named. */
export function refusedPorts(ports: PortPlan): string[] {
  return Object.entries(ports).flatMap(([name, port]) => {
    const problem = portProblem(port);
    return problem ? [`${name}: ${problem}`] : [];
  });
}

/** Ports given to two services at once. */
export function sharedPorts(ports: PortPlan): string[] {
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(ports)) byPort.set(port, [...(byPort.get(port) ?? []), name]);
  return [...byPort]
    .filter(([, names]) => names.length > 1)
    .map(([port, names]) => `${names.join(' and ')}: both ${port}`);
}

/** Resolves with null when `host:port` can be listened on now, else with the reason (EADDRINUSE...). */
export function portFree(host: string, port: number): Promise<string | null> {
  return new Promise((resolveCheck) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolveCheck(error.code === 'EADDRINUSE' ? 'in use by another program' : (error.code ?? error.message)),
    );
    server.listen(port, host, () => server.close(() => resolveCheck(null)));
  });
}

/**
 * Checks what can be checked before any process starts, and throws one {@link LaunchError} listing
 * every problem: ports fetch refuses, ports given twice, ports already taken, and a data folder the
 * services could not write.
 */
export async function preflight(options: { host: string; ports: PortPlan; dataDir: string }): Promise<void> {
  const problems = [...refusedPorts(options.ports), ...sharedPorts(options.ports)];
  for (const [name, port] of Object.entries(options.ports)) {
    if (portProblem(port)) continue;
    const busy = await portFree(options.host, port);
    if (busy)
      problems.push(`${name}: port ${port} on ${options.host} is ${busy}; stop that program or choose another port`);
  }
  const dataProblem = dataDirProblem(options.dataDir);
  if (dataProblem) problems.push(dataProblem);
  if (problems.length)
    throw new LaunchError(`The platform cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/**
 * Why the services could not keep their stores in `dataDir` (it cannot be created, or a file cannot be
 * written in it), or null. A probe file is written and removed: permissions alone do not say it, e.g.
 * on a read-only file system, or for root.
 */
export function dataDirProblem(dataDir: string): string | null {
  const dir = resolve(dataDir);
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return null;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return `DATA_DIR ${dir} cannot be written (${code ?? message}): every service keeps its store there; give the platform write access to it or set DATA_DIR to a writable folder`;
  }
}
