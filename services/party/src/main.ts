import 'reflect-metadata';
import { isMigrateCommand, runMain, runMigrate } from '@lgr/kit';
import { readConfig } from './config';
import { migrate, start } from './index';

if (isMigrateCommand()) void runMigrate('party', () => readConfig(), migrate);
else void runMain('party', () => readConfig(), start);
