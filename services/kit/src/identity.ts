import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { clientError, ErrorCode } from '@lgr/schema';
import { BoundedCache } from './bounded-cache';
import { ALL_ROLES, isPublic, PUBLIC_ROLE, Role } from './roles';

/** Who is calling: verified by the gateway, forwarded to subgraphs as a signed, short-lived token. */
export interface Identity {
  readonly sub: string;
  readonly role: Role;
  /** Unit codes whose subtrees the caller may read or write; ignored for admin and service. */
  readonly units: readonly string[];
  /**
   * When present, the only indicators this identity may read (a public caller's published set);
   * absent means no restriction by indicator.
   */
  readonly indicators?: readonly string[];
}

/** The header that carries the forwarded identity from the gateway (or another service) to a subgraph. */
export const IDENTITY_HEADER = 'x-lgr-identity';

const AUDIENCE = 'lgr-subgraphs';
const ISSUER = 'lgr-platform';
const LIFETIME_SECONDS = 60;
/** Clocks of the platform's machines may differ by this much. */
const MAX_CLOCK_SKEW_SECONDS = 5;

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ALL_ROLES),
  units: z.array(z.string()).default([]),
  indicators: z.array(z.string()).optional(),
});

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs an identity for one hop inside the platform (valid for a minute). */
export async function signForwardedIdentity(identity: Identity, secret: string): Promise<string> {
  return new SignJWT({
    role: identity.role,
    units: [...identity.units],
    ...(identity.indicators ? { indicators: [...identity.indicators] } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key(secret));
}

/** Identities (gateway) and forwarded tokens (subgraphs) a process remembers. */
const REMEMBERED = 10_000;
/** A signed identity is reused for this long, well inside its lifetime, then signed anew. */
const REUSE_SIGNED_MS = (LIFETIME_SECONDS / 2) * 1000;

function identityKey(identity: Identity): string {
  return JSON.stringify([identity.sub, identity.role, identity.units, identity.indicators ?? null]);
}

/** Signs an identity for the subgraphs (see {@link createForwardedIdentitySigner}). */
export type IdentitySigner = (identity: Identity) => Promise<string>;

/**
 * {@link signForwardedIdentity} for a process that forwards many requests of the same callers: the
 * token signed for an identity is reused for half its lifetime, so the subgraphs always receive one
 * with at least 30 s left.
 */
export function createForwardedIdentitySigner(secret: string): IdentitySigner {
  const signed = new BoundedCache<string, SignedIdentity>(REMEMBERED);
  // A caller's verified token gives the same identity object on every request: found by reference
  // first, without building the identity's key.
  const byObject = new WeakMap<Identity, SignedIdentity>();
  return async (identity) => {
    const same = byObject.get(identity);
    if (same && same.until > Date.now()) return same.token;
    const key = identityKey(identity);
    let known = signed.get(key);
    if (!known) {
      const until = Date.now() + REUSE_SIGNED_MS;
      known = { token: await signForwardedIdentity(identity, secret), until };
      signed.set(key, known, until);
    }
    byObject.set(identity, known);
    return known.token;
  };
}

/** A signed identity and until when it is handed out again. */
interface SignedIdentity {
  readonly token: string;
  readonly until: number;
}

/**
 * {@link verifyForwardedIdentity} that remembers each token that passed until it expires or grows
 * too old, whichever comes first, so that the gateway's reused tokens are checked once per process.
 */
export function createForwardedIdentityVerifier(secret: string): (token: string | undefined) => Promise<Identity> {
  const verified = new BoundedCache<string, Identity>(REMEMBERED);
  return async (token) => {
    const known = token ? verified.get(token) : undefined;
    if (known) return known;
    const identity = await verifyForwardedIdentity(token, secret);
    const { exp, iat } = decodeTimes(token!);
    verified.set(token!, identity, Math.min(exp, iat + LIFETIME_SECONDS + MAX_CLOCK_SKEW_SECONDS) * 1000);
    return identity;
  };
}

/** `exp` and `iat` of a token that was just verified (both are required claims). */
function decodeTimes(token: string): { exp: number; iat: number } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
    exp: number;
    iat: number;
  };
  return { exp: payload.exp, iat: payload.iat };
}

/** Verifies a forwarded identity; throws an UNAUTHENTICATED GraphQLError when it is missing or invalid. */
export async function verifyForwardedIdentity(token: string | undefined, secret: string): Promise<Identity> {
  if (!token) throw clientError(ErrorCode.UNAUTHENTICATED, 'No identity was forwarded; call through the gateway');
  try {
    // A forwarded identity must expire and be recent: one signed without `exp` (or with a far one)
    // would otherwise be a permanent pass to every subgraph.
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat'],
      maxTokenAge: `${LIFETIME_SECONDS + MAX_CLOCK_SKEW_SECONDS}s`,
      clockTolerance: MAX_CLOCK_SKEW_SECONDS,
    });
    if (
      typeof payload.exp !== 'number' ||
      typeof payload.iat !== 'number' ||
      payload.exp - payload.iat > LIFETIME_SECONDS
    )
      throw new Error('lifetime');
    const claims = claimsSchema.parse(payload);
    return {
      sub: claims.sub,
      role: claims.role,
      units: claims.units,
      ...(claims.indicators ? { indicators: claims.indicators } : {}),
    };
  } catch {
    throw clientError(ErrorCode.UNAUTHENTICATED, 'The forwarded identity is invalid or expired');
  }
}

/** The identity services use for each other's internal endpoints (feeds, catalogue snapshots). */
export const SERVICE_IDENTITY: Identity = { sub: 'platform-service', role: 'service', units: [] };

/** The identity of an anonymous caller who may read only `indicators` (and reference data). */
export function publicIdentity(indicators: readonly string[]): Identity {
  return { sub: 'anonymous', role: PUBLIC_ROLE, units: [], indicators: [...indicators] };
}

/**
 * Whether the identity may read figures of the indicator `code` at all (its units are checked
 * separately): a public caller only its published indicators, anyone else every indicator.
 */
export function mayReadIndicator(identity: Identity, code: string): boolean {
  if (isPublic(identity)) return identity.indicators?.includes(code) ?? false;
  return identity.indicators ? identity.indicators.includes(code) : true;
}
