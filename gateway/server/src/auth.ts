import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { clientError, ErrorCode } from '@lgr/schema';
import { Identity, publicIdentity } from '@lgr/kit/identity';
import { isPublic, ROLES } from '@lgr/kit/roles';

export interface AuthOptions {
  readonly jwtSecret?: string | undefined;
  readonly jwksUrl?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Longest lifetime a caller's token may have, in seconds (from `iat`, and from now). */
  readonly maxLifetimeSeconds?: number | undefined;
}

/** The longest token lifetime accepted when none is configured: a working day and a night. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

const claims = z.object({
  sub: z.string().min(1, 'sub must name the caller'),
  role: z.enum(ROLES, { errorMap: () => ({ message: `role must be one of ${ROLES.join(', ')}` }) }),
  units: z.array(z.string().regex(/^\d{2,5}$/, 'units must be administrative unit codes')).default([]),
});

/** Something that turns an `Authorization` header into an identity, or refuses it. */
export type Authenticator = (authorization: string | undefined) => Promise<Identity | undefined>;

/**
 * Verifies `Authorization: Bearer <JWT>`: HS256 with the shared secret, or RS/ES keys from a JWKS URL
 * in production; expiry always, issuer and audience when configured. No header gives undefined (the
 * caller decides whether anonymous access is allowed); a bad token is an UNAUTHENTICATED error.
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const key: Uint8Array | JWTVerifyGetKey = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : new TextEncoder().encode(options.jwtSecret);
  const algorithms = options.jwksUrl ? ['RS256', 'ES256', 'PS256', 'EdDSA'] : ['HS256'];
  return async (authorization) => {
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthenticated('Authorization header must be "Bearer <token>"');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, key as Uint8Array, {
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
    if (!parsed.success) throw unauthenticated(`Invalid token claims: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return { sub: parsed.data.sub, role: parsed.data.role, units: parsed.data.units };
  };
}

/**
 * Why a verified token lives too long, if it does: a stolen token must not stay good for months. The
 * lifetime is counted from `iat` when the token has one, and the time left from now, so that a token
 * dated in the future gains nothing.
 */
export function lifetimeProblem(payload: JWTPayload, maxSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
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

export function unauthenticated(message: string): Error {
  return clientError(ErrorCode.UNAUTHENTICATED, message, { http: { status: 401 } });
}

const SIGN_IN = 'Sign in: send Authorization: Bearer <token> (npm run token mints one in development)';

/**
 * Verifies the caller's token. A request without one is refused, unless public indicators are
 * configured: then it runs as the anonymous public identity, which the public-access plugin and every
 * subgraph restrict to reference data and those indicators.
 */
export function authMiddleware(authenticate: Authenticator, publicIndicators: readonly string[]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const identity = (await authenticate(req.header('authorization'))) ?? (publicIndicators.length ? publicIdentity(publicIndicators) : undefined);
      if (!identity) throw unauthenticated(SIGN_IN);
      req.identity = identity;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** SQL and exports are for signed-in callers only, whatever public access allows. */
export function signedIn(req: Request, _res: Response, next: NextFunction): void {
  next(!req.identity || isPublic(req.identity) ? unauthenticated(SIGN_IN) : undefined);
}
