import 'reflect-metadata';
import { isMigrateCommand, runMain, runMigrate } from '@lgr/kit';
import { readConfig } from './config';
import { migrate, start } from './index';

if (isMigrateCommand()) {
  void runMigrate(
    'reference',
    () => readConfig(),
    (config) => migrate({ dataDir: config.DATA_DIR, databaseUrl: config.DATABASE_URL }),
  );
} else {
  void runMain(
    'reference',
    () => readConfig(),
    (config) =>
      start({
        port: config.PORT,
        host: config.HOST,
        dataDir: config.DATA_DIR,
        databaseUrl: config.DATABASE_URL,
        unitsDir: config.UNITS_DIR,
        internalSecret: config.INTERNAL_SECRET,
        logLevel: config.LOG_LEVEL,
      }),
  );
}
