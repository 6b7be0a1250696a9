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
}

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
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw unauthenticated(`Invalid token claims: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return { sub: parsed.data.sub, role: parsed.data.role, units: parsed.data.units };
  };
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
