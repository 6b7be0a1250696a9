import 'reflect-metadata';
import { isMigrateCommand, runMain, runMigrate } from '@lgr/kit';
import { readConfig } from './config';
import { migrate, start } from './index';

if (isMigrateCommand()) void runMigrate('social', () => readConfig(), migrate);
else void runMain('social', () => readConfig(), start);
