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
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`reference failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
