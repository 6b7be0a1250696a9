import { exitOnConfigError } from './config';
import type { StoreVersion } from './migrations';
import { watchLauncher } from './launch';
import { StartupError } from './startup-error';
import { startTracing, Tracing } from './tracing';

/** Something a `main.ts` starts and must close on a termination signal. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * What every service's `main.ts` does: read the configuration (exiting with every problem listed
 * when it is wrong), start the service, and on SIGINT or SIGTERM close it (draining in-flight
 * requests) and exit; a close that hangs for `graceMs` ends the process anyway. Traces are exported
 * when the OTEL_* variables ask for it (see tracing.ts), and flushed on the way out.
 */
export async function runMain<C>(
  name: string,
  readConfig: () => C,
  start: (config: C) => Promise<Closable>,
  graceMs = 10_000,
): Promise<void> {
  const config = exitOnConfigError(readConfig);
  let tracing: Tracing;
  try {
    tracing = startTracing(name);
  } catch (error) {
    process.stderr.write(`${name}: invalid tracing configuration: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let service: Closable;
  try {
    service = await start(config);
  } catch (error) {
    // A reason the operator can act on is printed alone; anything else with its stack, for a bug report.
    const detail = error instanceof StartupError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`${name} failed to start: ${detail}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), graceMs).unref();
    service
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A launcher stopped without stopping its services (killed) leaves no orphans behind.
  watchLauncher(() => {
    process.stderr.write(`${name}: the launcher that started it is gone; stopping\n`);
    stop();
  });
}

/** Whether the process was started as `<service> migrate` (bring the store up to date, then exit). */
export function isMigrateCommand(argv: readonly string[] = process.argv): boolean {
  return argv[2] === 'migrate';
}

/**
 * What `<service> migrate` does: read the configuration, run the store's pending migrations, print
 * the version it is at, and exit (1 with the reason when the store cannot be migrated).
 */
export async function runMigrate<C>(
  name: string,
  readConfig: () => C,
  migrate: (config: C) => Promise<StoreVersion>,
): Promise<void> {
  const config = exitOnConfigError(readConfig);
  try {
    const store = await migrate(config);
    const applied = store.applied.length ? `applied ${store.applied.join(', ')}` : 'nothing to apply';
    process.stdout.write(
      `${name}: store at version ${store.version} (${store.latest ?? 'no migrations'}); ${applied}\n`,
    );
    process.exit(0);
  } catch (error) {
    const detail = error instanceof StartupError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`${name} could not migrate its store: ${detail}\n`);
    process.exit(1);
  }
}
