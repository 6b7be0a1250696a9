import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { clientError, ErrorCode } from '@lgr/schema';

/** viewer reads, editor writes, analyst may also use SQL, admin may do everything; service is internal. */
export const ROLES = ['viewer', 'editor', 'analyst', 'admin'] as const;
export type UserRole = (typeof ROLES)[number];
/**
 * `service` is the platform's own identity; `public` is an anonymous caller, admitted by the gateway
 * only when public indicators are configured, who may read those indicators and reference data.
 */
export type Role = UserRole | 'service' | 'public';

/** The role the gateway forwards for an anonymous caller when public indicators are configured. */
export const PUBLIC_ROLE = 'public' as const;

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
  role: z.enum([...ROLES, 'service', PUBLIC_ROLE]),
  units: z.array(z.string()).default([]),
  indicators: z.array(z.string()).optional(),
});

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs an identity for one hop inside the platform (valid for a minute). */
export async function signForwardedIdentity(identity: Identity, secret: string): Promise<string> {
  return new SignJWT({ role: identity.role, units: [...identity.units], ...(identity.indicators ? { indicators: [...identity.indicators] } : {}) })
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
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > LIFETIME_SECONDS) throw new Error('lifetime');
    const claims = claimsSchema.parse(payload);
    return { sub: claims.sub, role: claims.role, units: claims.units, ...(claims.indicators ? { indicators: claims.indicators } : {}) };
  } catch {
    throw clientError(ErrorCode.UNAUTHENTICATED, 'The forwarded identity is invalid or expired');
  }
}

/** The identity services use for each other's internal endpoints (feeds, catalogue snapshots). */
export const SERVICE_IDENTITY: Identity = { sub: 'platform-service', role: 'service', units: [] };

export function isAdminLike(identity: Identity): boolean {
  return identity.role === 'admin' || identity.role === 'service';
}

export function canWrite(identity: Identity): boolean {
  return identity.role === 'editor' || isAdminLike(identity);
}

/** The identity of an anonymous caller who may read only `indicators` (and reference data). */
export function publicIdentity(indicators: readonly string[]): Identity {
  return { sub: 'anonymous', role: PUBLIC_ROLE, units: [], indicators: [...indicators] };
}

export function isPublic(identity: Identity): boolean {
  return identity.role === PUBLIC_ROLE;
}

/**
 * Whether the identity may read figures of the indicator `code` at all (its units are checked
 * separately): a public caller only its published indicators, anyone else every indicator.
 */
export function mayReadIndicator(identity: Identity, code: string): boolean {
  if (isPublic(identity)) return identity.indicators?.includes(code) ?? false;
  return identity.indicators ? identity.indicators.includes(code) : true;
}
