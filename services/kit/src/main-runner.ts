import { exitOnConfigError } from './config';

/** Something a `main.ts` starts and must close on a termination signal. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * What every service's `main.ts` does: read the configuration (exiting with every problem listed
 * when it is wrong), start the service, and on SIGINT or SIGTERM close it (draining in-flight
 * requests) and exit; a close that hangs for `graceMs` ends the process anyway.
 */
export async function runMain<C>(
  name: string,
  readConfig: () => C,
  start: (config: C) => Promise<Closable>,
  graceMs = 10_000,
): Promise<void> {
  const config = exitOnConfigError(readConfig);
  let service: Closable;
  try {
    service = await start(config);
  } catch (error) {
    process.stderr.write(`${name} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), graceMs).unref();
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
