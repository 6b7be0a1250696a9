import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { clientError, ErrorCode } from '@lgr/schema';
import { Identity, ROLES } from '@lgr/kit';

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
