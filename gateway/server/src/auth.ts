import type { NextFunction, Request, Response } from 'express';
import { clientError, ErrorCode } from '@lgr/schema';
import { CallerTokenOptions, createCallerTokenVerifier } from '@lgr/kit/caller-token';

export { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, lifetimeProblem } from '@lgr/kit/caller-token';
import { Identity, publicIdentity } from '@lgr/kit/identity';
import { isPublic } from '@lgr/kit/roles';

export type AuthOptions = CallerTokenOptions;

/** Something that turns an `Authorization` header into an identity, or refuses it. */
export type Authenticator = (authorization: string | undefined) => Promise<Identity | undefined>;

/**
 * Verifies `Authorization: Bearer <JWT>` with the platform's caller-token verifier (kit): HS256 with
 * the shared secret, or RS/ES keys from a JWKS URL in production; expiry always, issuer and audience
 * when configured. No header gives undefined (the caller decides whether anonymous access is
 * allowed); a bad token is an UNAUTHENTICATED error.
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const verify = createCallerTokenVerifier(options);
  return async (authorization) => {
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthenticated('Authorization header must be "Bearer <token>"');
    return verify(match[1]!);
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
      const identity =
        (await authenticate(req.header('authorization'))) ??
        (publicIndicators.length ? publicIdentity(publicIndicators) : undefined);
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
