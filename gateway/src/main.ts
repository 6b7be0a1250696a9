import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runMain } from '@lgr/kit';
import { GatewayConfig, readGatewayConfig } from './config';
import { RunningGateway, startGateway } from './gateway';

/** Starts the gateway from its environment; SIGTERM or SIGINT drains in-flight requests, then exits. */
function startFromConfig(config: GatewayConfig): Promise<RunningGateway> {
  return startGateway({
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
    ...(config.ALLOWLIST_PATH ? readAllowlist(config.ALLOWLIST_PATH) : {}),
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    redisUrl: config.REDIS_URL,
    publicIndicators: config.PUBLIC_INDICATORS,
  });
}

/**
 * Reads an allowlist file: a JSON array of sha256 hex digests of the operations' text, or an Apollo
 * persisted-query manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id",
 * "body" }] }`), whose operations clients may then run by digest alone. Every digest of a manifest is
 * checked against its text, so the file cannot allow one operation under another's name.
 */
function readAllowlist(path: string): { allowlist: Set<string>; allowlistOperations: Map<string, string> } {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const isDigest = (h: unknown): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h);
  if (Array.isArray(parsed)) {
    if (!parsed.every(isDigest)) throw new Error(`${path}: expected a JSON array of sha256 hex digests`);
    return { allowlist: new Set(parsed), allowlistOperations: new Map() };
  }
  const operations = (parsed as { operations?: unknown }).operations;
  if (!Array.isArray(operations)) throw new Error(`${path}: expected a JSON array of sha256 hex digests or a persisted-query manifest with "operations"`);
  const bodies = new Map<string, string>();
  operations.forEach((op: { id?: unknown; body?: unknown }, i) => {
    if (!isDigest(op.id) || typeof op.body !== 'string') throw new Error(`${path}: operations[${i}] needs "id" (a sha256 hex digest) and "body"`);
    if (createHash('sha256').update(op.body).digest('hex') !== op.id) throw new Error(`${path}: operations[${i}].id is not the sha256 digest of its body`);
    bodies.set(op.id, op.body);
  });
  return { allowlist: new Set(bodies.keys()), allowlistOperations: bodies };
}

// The drain plugin closes connections still open after 10 s; the grace below only guards against a
// close that never returns.
void runMain('gateway', () => readGatewayConfig(process.env), startFromConfig, 20_000);
