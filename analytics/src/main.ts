import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { runMain } from '@lgr/kit';
import { readConfig } from './config';
import { start } from './index';

// A shutdown that does not finish within this long (a request or a statement that never ends) must
// not keep the process, and the DuckDB file lock with it, alive.
const SHUTDOWN_GRACE_MS = 20_000;

void runMain(
  'analytics',
  () => readConfig(),
  (config) =>
    start({
      port: config.PORT,
      host: config.HOST,
      dataDir: config.DATA_DIR,
      internalSecret: config.INTERNAL_SECRET,
      referenceUrl: config.REFERENCE_URL,
      feeds: [
        { name: 'party', url: config.PARTY_URL },
        { name: 'economy', url: config.ECONOMY_URL },
        { name: 'social', url: config.SOCIAL_URL },
      ],
      syncIntervalMs: config.SYNC_INTERVAL_MS,
      queryTimeoutMs: config.QUERY_TIMEOUT_MS,
      sqlTimeoutMs: config.SQL_TIMEOUT_MS,
      sqlMaxRows: config.SQL_MAX_ROWS,
      sqlMaxBytes: config.SQL_MAX_BYTES,
      sqlConcurrency: config.SQL_CONCURRENCY,
      resultCacheEntries: config.RESULT_CACHE_ENTRIES,
      resultCacheMb: config.RESULT_CACHE_MB,
      logLevel: config.LOG_LEVEL,
      ...(config.PGWIRE_PORT !== undefined
        ? {
            pgwire: {
              port: config.PGWIRE_PORT,
              host: config.PGWIRE_HOST ?? config.HOST,
              maxConnections: config.PGWIRE_MAX_CONNECTIONS,
              tokens: {
                jwtSecret: config.JWT_SECRET,
                jwksUrl: config.JWKS_URL,
                issuer: config.JWT_ISSUER,
                audience: config.JWT_AUDIENCE,
              },
              ...(config.PGWIRE_TLS_KEY_FILE && config.PGWIRE_TLS_CERT_FILE
                ? {
                    tls: {
                      key: readFileSync(config.PGWIRE_TLS_KEY_FILE),
                      cert: readFileSync(config.PGWIRE_TLS_CERT_FILE),
                    },
                  }
                : {}),
            },
          }
        : {}),
    }),
  SHUTDOWN_GRACE_MS,
);
