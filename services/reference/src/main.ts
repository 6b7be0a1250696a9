import 'reflect-metadata';
import { exitOnConfigError } from '@lgr/kit';
import { readConfig } from './config';
import { start } from './index';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => readConfig());
  const server = await start({
    port: config.PORT,
    host: config.HOST,
    dataDir: config.DATA_DIR,
    databaseUrl: config.DATABASE_URL,
    unitsDir: config.UNITS_DIR,
    internalSecret: config.INTERNAL_SECRET,
    logLevel: config.LOG_LEVEL,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // A close that hangs must not keep a stopped service around for ever.
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Apollo Server installs its own SIGINT/SIGTERM handlers outside tests, and a second stop() that
  // starts while its first one runs never returns. Running this handler first makes the service's own
  // close the first stop(), so the database is closed and the process exits with 0.
  process.prependListener('SIGINT', stop);
  process.prependListener('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`reference failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
