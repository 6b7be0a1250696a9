import pino, { Logger } from 'pino';

export type { Logger };

/** A JSON logger named after the service; `level: 'silent'` for tests. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, base: { service: name } });
}
