import 'reflect-metadata';
import { runMain } from '@lgr/kit';
import { readConfig } from './config';
import { start } from './index';

void runMain('reference', () => readConfig(), (config) =>
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
