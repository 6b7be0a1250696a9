import 'reflect-metadata';
import { runMain } from '@lgr/kit';
import { readConfig } from './config';
import { start } from './index';

void runMain('party', () => readConfig(), start);
