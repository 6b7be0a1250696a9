import { SignJWT } from 'jose';
import { ROLES, UserRole } from '@lgr/kit/roles';

export interface TokenOptions {
  readonly role: UserRole;
  /** Unit codes whose subtrees the holder may read (and, as an editor, write). */
  readonly units: readonly string[];
  readonly sub: string;
  /** Lifetime in jose's notation: `8h`, `30m`, `7d`. */
  readonly ttl: string;
  readonly secret: string;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

const TTL = /^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/;
const UNIT_CODE = /^\d{2,5}$/;

/** Checks the options a user typed; returns every problem. */
export function tokenProblems(options: Pick<TokenOptions, 'role' | 'units' | 'ttl' | 'sub'>): string[] {
  const problems: string[] = [];
  if (!(ROLES as readonly string[]).includes(options.role))
    problems.push(`--role: expected one of ${ROLES.join(', ')}, got "${options.role}"`);
  for (const u of options.units)
    if (!UNIT_CODE.test(u)) problems.push(`--units: expected unit codes such as 304 or 11329, got "${u}"`);
  if (!TTL.test(options.ttl)) problems.push(`--ttl: expected a lifetime such as 30m, 8h or 7d, got "${options.ttl}"`);
  if (!options.sub.trim()) problems.push('--sub: expected a name, got an empty value');
  return problems;
}

/** Mints a user token the gateway accepts: HS256 with the JWT secret, claims sub, role and units. */
export async function mintToken(options: TokenOptions): Promise<string> {
  let jwt = new SignJWT({ role: options.role, units: [...options.units] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(options.ttl);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
