import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { clientError, ErrorCode } from '@lgr/schema';
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
