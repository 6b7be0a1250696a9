export * from './dates';
export * from './periods';
export * from './catalogue';
export * from './errors';
export * from './units';
export * from './evaluate';
export * from './report-format';
