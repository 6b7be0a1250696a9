import 'reflect-metadata';
import { exitOnConfigError } from '@lgr/kit';
import { readConfig } from './config';
import { start } from './index';

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

async function main(): Promise<void> {
  const config = exitOnConfigError(() => readConfig());
  const server = await start({
    port: config.PORT,
    host: config.HOST,
    dataDir: config.DATA_DIR,
    internalSecret: config.INTERNAL_SECRET,
    referenceUrl: config.REFERENCE_URL,
    feeds: [
      { name: 'party', url: config.PARTY_URL },
      { name: 'economy', url: config.ECONOMY_URL },
      { name: 'social', url: config.SOCIAL_URL },
    ],
    syncIntervalMs: config.SYNC_INTERVAL_MS,
    queryTimeoutMs: config.QUERY_TIMEOUT_MS,
    sqlTimeoutMs: config.SQL_TIMEOUT_MS,
    sqlMaxRows: config.SQL_MAX_ROWS,
    logLevel: config.LOG_LEVEL,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // A shutdown that does not finish (a request or a statement that never ends) must not keep the
    // process, and the DuckDB file lock with it, alive forever.
    setTimeout(() => {
      process.stderr.write(`analytics did not shut down within ${SHUTDOWN_TIMEOUT_MS} ms; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`analytics failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
