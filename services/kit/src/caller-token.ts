import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { clientError, ErrorCode } from '@lgr/schema';
import { BoundedCache } from './bounded-cache';
import type { Identity } from './identity';
import { ROLES } from './roles';

/** How callers' tokens are verified: HS256 with a shared secret, or keys from a JWKS URL. */
export interface CallerTokenOptions {
  readonly jwtSecret?: string | undefined;
  readonly jwksUrl?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Longest lifetime a caller's token may have, in seconds (from `iat`, and from now). */
  readonly maxLifetimeSeconds?: number | undefined;
  /**
   * With a JWKS URL: how long the key set, and a token verified with it, are trusted before the keys
   * are fetched and the token checked again (default 5 minutes), so a key removed from the set stops
   * working within twice this time.
   */
  readonly keyRecheckMs?: number | undefined;
}

/** How long a JWKS key set and the tokens it verified are trusted by default. */
const KEY_RECHECK_MS = 5 * 60_000;

/** The longest token lifetime accepted when none is configured: a working day and a night. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

const claims = z.object({
  sub: z.string().min(1, 'sub must name the caller'),
  role: z.enum(ROLES, { errorMap: () => ({ message: `role must be one of ${ROLES.join(', ')}` }) }),
  units: z.array(z.string().regex(/^\d{2,5}$/, 'units must be administrative unit codes')).default([]),
});

/** How many verified tokens a verifier remembers (most recently used first). */
const VERIFIED_TOKENS = 10_000;

/** Turns a caller's bearer token into an identity, or throws an UNAUTHENTICATED client error. */
export type CallerTokenVerifier = (token: string) => Promise<Identity>;

/**
 * Verifies callers' JWTs exactly as every entry point of the platform must: HS256 with the shared
 * secret, or RS/ES/PS/EdDSA keys from a JWKS URL; expiry always, issuer and audience when configured;
 * the claims `sub`, `role` and `units`. A token that passed is remembered until it expires (with a
 * JWKS, at most `keyRecheckMs`), so a caller's next requests skip the signature check; one that
 * failed is checked again every time.
 */
export function createCallerTokenVerifier(options: CallerTokenOptions): CallerTokenVerifier {
  if (!options.jwksUrl && !options.jwtSecret) throw new Error('Set jwtSecret or jwksUrl to verify callers');
  const recheckMs = options.keyRecheckMs ?? KEY_RECHECK_MS;
  const key: Uint8Array | JWTVerifyGetKey = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: recheckMs })
    : new TextEncoder().encode(options.jwtSecret);
  const algorithms = options.jwksUrl ? ['RS256', 'ES256', 'PS256', 'EdDSA'] : ['HS256'];
  const verified = new BoundedCache<string, Identity>(VERIFIED_TOKENS);
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        requiredClaims: ['exp'],
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      }));
    } catch (error) {
      throw unauthenticated(`Invalid token: ${(error as Error).message}`);
    }
    const tooLong = lifetimeProblem(payload, options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
    if (tooLong) throw unauthenticated(`Invalid token: ${tooLong}`);
    const parsed = claims.safeParse(payload);
    if (!parsed.success)
      throw unauthenticated(`Invalid token claims: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const identity: Identity = { sub: parsed.data.sub, role: parsed.data.role, units: parsed.data.units };
    // Everything checked above holds until `exp` (required): the lifetime left only shrinks. A key
    // set's keys may be withdrawn, so its tokens are checked again once the set is fetched again.
    const until = (payload.exp as number) * 1000;
    verified.set(token, identity, options.jwksUrl ? Math.min(until, Date.now() + recheckMs) : until);
    return identity;
  };
}

/**
 * Why a verified token lives too long, if it does: a stolen token must not stay good for months. The
 * lifetime is counted from `iat` when the token has one, and the time left from now, so that a token
 * dated in the future gains nothing.
 */
export function lifetimeProblem(
  payload: JWTPayload,
  maxSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | undefined {
  if (typeof payload.exp !== 'number') return 'the token has no expiry (exp)';
  const lifetime = typeof payload.iat === 'number' ? payload.exp - payload.iat : 0;
  const left = payload.exp - nowSeconds;
  if (lifetime > maxSeconds || left > maxSeconds) {
    return `the token lives ${formatSeconds(Math.max(lifetime, left))}, longer than the ${formatSeconds(maxSeconds)} allowed (MAX_TOKEN_LIFETIME); ask for a shorter-lived token`;
  }
  return undefined;
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** An UNAUTHENTICATED client error (401 over HTTP). */
export function unauthenticated(message: string): Error {
  return clientError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
}
