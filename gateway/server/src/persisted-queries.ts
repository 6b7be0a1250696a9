import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { clientError, ErrorCode } from '@lgr/schema';
import type { GatewayContext } from './context';

/** How the gateway treats persisted queries: Apollo's APQ, a fixed allowlist, or none. */
export type PersistedQueryMode = 'apq' | 'allowlist' | 'off';

/** The allowlist of allowlist mode: digests, and the text of those operations a manifest carries. */
export interface Allowlist {
  readonly allowlist: Set<string>;
  readonly allowlistOperations: Map<string, string>;
}

/**
 * Apollo's `persistedQueries` option for a mode. In allowlist mode the persisted-query store holds
 * exactly the allowlisted operations and learns no others; in APQ mode it learns any operation a
 * client registers by hash.
 */
export function persistedQueryStore(
  mode: PersistedQueryMode,
  operations: ReadonlyMap<string, string> = new Map(),
): ApolloServerOptions<GatewayContext>['persistedQueries'] {
  if (mode === 'off') return false;
  return mode === 'allowlist' ? { cache: new AllowlistCache(operations) } : {};
}

/**
 * Runs only operations whose text is on the allowlist. The check sits in didResolveOperation, where
 * Apollo turns a thrown error into a proper response and before an operation sent by hash and text
 * would be stored.
 */
export function allowlistPlugin(allowlist: ReadonlySet<string>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          const hash = createHash('sha256').update(ctx.source!).digest('hex');
          if (!allowlist.has(hash)) {
            throw clientError(ErrorCode.PERSISTED_QUERY_REQUIRED, 'Only registered operations may run on this server', {
              http: { status: 400 },
            });
          }
        },
      };
    },
  };
}

/**
 * The persisted-query store of allowlist mode: it answers the allowlisted operations whose text the
 * allowlist file carries and ignores attempts to register anything else.
 */
class AllowlistCache {
  constructor(private readonly operations: ReadonlyMap<string, string>) {}

  async get(key: string): Promise<string | undefined> {
    return this.operations.get(key.replace(/^apq:/, ''));
  }

  async set(): Promise<void> {}

  async delete(): Promise<boolean> {
    return false;
  }
}

const isDigest = (h: unknown): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h);

/**
 * Reads an allowlist file: a JSON array of sha256 hex digests of the operations' text, or an Apollo
 * persisted-query manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id",
 * "body" }] }`), whose operations clients may then run by digest alone. Every digest of a manifest is
 * checked against its text, so the file cannot allow one operation under another's name.
 */
export function readAllowlist(path: string): Allowlist {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (Array.isArray(parsed)) {
    if (!parsed.every(isDigest)) throw new Error(`${path}: expected a JSON array of sha256 hex digests`);
    return { allowlist: new Set(parsed), allowlistOperations: new Map() };
  }
  const operations = (parsed as { operations?: unknown }).operations;
  if (!Array.isArray(operations))
    throw new Error(
      `${path}: expected a JSON array of sha256 hex digests or a persisted-query manifest with "operations"`,
    );
  const bodies = new Map<string, string>();
  operations.forEach((op: { id?: unknown; body?: unknown }, i) => {
    if (!isDigest(op.id) || typeof op.body !== 'string')
      throw new Error(`${path}: operations[${i}] needs "id" (a sha256 hex digest) and "body"`);
    if (createHash('sha256').update(op.body).digest('hex') !== op.id)
      throw new Error(`${path}: operations[${i}].id is not the sha256 digest of its body`);
    bodies.set(op.id, op.body);
  });
  return { allowlist: new Set(bodies.keys()), allowlistOperations: bodies };
}
