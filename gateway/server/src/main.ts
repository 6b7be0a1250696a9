import { readFileSync } from 'node:fs';
import { serviceUrlsOf } from '@lgr/kit/config';
import { runMain } from '@lgr/kit/main-runner';
import { SUBGRAPH_NAMES } from '@lgr/kit/services';
import { GatewayConfig, readGatewayConfig } from './config';
import { RunningGateway, startGateway } from './gateway';
import { readAllowlist } from './persisted-queries';

/** Starts the gateway from its environment; SIGTERM or SIGINT drains in-flight requests, then exits. */
function startFromConfig(config: GatewayConfig): Promise<RunningGateway> {
  return startGateway({
    host: config.HOST,
    port: config.PORT,
    production: config.NODE_ENV === 'production',
    logLevel: config.LOG_LEVEL,
    auth: {
      jwtSecret: config.JWT_SECRET,
      jwksUrl: config.JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      maxLifetimeSeconds: config.MAX_TOKEN_LIFETIME,
    },
    internalSecret: config.INTERNAL_SECRET,
    subgraphUrls: serviceUrlsOf(SUBGRAPH_NAMES, config),
    ...(config.CONSOLE_DIR ? { consoleDir: config.CONSOLE_DIR } : {}),
    ...(config.SUPERGRAPH_PATH ? { supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8') } : {}),
    limits: {
      maxDepth: config.MAX_DEPTH,
      maxAliases: config.MAX_ALIASES,
      maxRootFields: config.MAX_ROOT_FIELDS,
      maxCost: config.MAX_COST,
    },
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxBatch: config.MAX_BATCH,
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    persistedQueries: config.PERSISTED_QUERIES,
    ...(config.ALLOWLIST_PATH ? readAllowlist(config.ALLOWLIST_PATH) : {}),
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    redisUrl: config.REDIS_URL,
    publicIndicators: config.PUBLIC_INDICATORS,
  });
}

// The drain plugin closes connections still open after 10 s; the grace below only guards against a
// close that never returns.
void runMain('gateway', () => readGatewayConfig(process.env), startFromConfig, 20_000);
