export * from './config';
export * from './logger';
export * from './identity';
export * from './database';
export * from './federation';
export * from './server';
export * from './scope';
export * from './catalog-client';
