import 'reflect-metadata';
import { runDomainServiceMain } from '@lgr/observations';
import { readConfig } from './config';
import { start } from './index';

void runDomainServiceMain('social', () => readConfig(), start);
