import { readFileSync } from 'node:fs';
import { exitOnConfigError } from '@lgr/kit';
import { readGatewayConfig } from './config';
import { startGateway } from './gateway';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => readGatewayConfig(process.env));
  const gateway = await startGateway({
    host: config.HOST,
    port: config.PORT,
    production: config.NODE_ENV === 'production',
    logLevel: config.LOG_LEVEL,
    auth: { jwtSecret: config.JWT_SECRET, jwksUrl: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    internalSecret: config.INTERNAL_SECRET,
    subgraphUrls: {
      reference: config.REFERENCE_URL,
      party: config.PARTY_URL,
      economy: config.ECONOMY_URL,
      social: config.SOCIAL_URL,
      analytics: config.ANALYTICS_URL,
    },
    ...(config.SUPERGRAPH_PATH ? { supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8') } : {}),
    limits: { maxDepth: config.MAX_DEPTH, maxAliases: config.MAX_ALIASES, maxRootFields: config.MAX_ROOT_FIELDS, maxCost: config.MAX_COST },
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxBatch: config.MAX_BATCH,
    subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    persistedQueries: config.PERSISTED_QUERIES,
    ...(config.ALLOWLIST_PATH ? { allowlist: readAllowlist(config.ALLOWLIST_PATH) } : {}),
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  });
  const shutdown = () => {
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** An allowlist file is a JSON array of sha256 hex digests of the operations' source text. */
function readAllowlist(path: string): Set<string> {
  const list = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(list) || !list.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
    throw new Error(`${path}: expected a JSON array of sha256 hex digests`);
  }
  return new Set(list as string[]);
}

main().catch((error: Error) => {
  process.stderr.write(`The gateway did not start: ${error.message}\n`);
  process.exit(1);
});
