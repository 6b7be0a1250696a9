import { SignJWT } from 'jose';
import { createAuthenticator, lifetimeProblem } from '../auth';
import { durationSeconds } from '../config';

const SECRET = 'auth-test-secret-0123456789abcdef0123456789';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function token(claims: { iat?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT({ role: 'viewer', units: ['304'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('someone');
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}

describe('token lifetime', () => {
  const authenticate = createAuthenticator({ jwtSecret: SECRET, maxLifetimeSeconds: 12 * 3600 });
  const refusal = async (claims: { iat?: number; exp?: number }) =>
    authenticate(`Bearer ${await token(claims)}`).then(
      () => undefined,
      (e: Error) => e.message,
    );

  it('accepts a token within the maximum lifetime', async () => {
    expect(await authenticate(`Bearer ${await token({ iat: now(), exp: now() + 8 * 3600 })}`)).toMatchObject({
      sub: 'someone',
      role: 'viewer',
    });
  });

  it('refuses a token without exp, one that lives longer than allowed, and one dated in the future to look short', async () => {
    expect(await refusal({ iat: now() })).toMatch(/"exp" claim/);
    expect(await refusal({ iat: now(), exp: now() + 30 * 86_400 })).toMatch(
      /lives 720 h, longer than the 12 h allowed \(MAX_TOKEN_LIFETIME\)/,
    );
    expect(await refusal({ exp: now() + 13 * 3600 })).toMatch(/longer than the 12 h allowed/);
    expect(await refusal({ iat: now() + 365 * 86_400, exp: now() + 365 * 86_400 + 3600 })).toMatch(
      /longer than the 12 h allowed/,
    );
  });

  it('measures lifetimes from iat and from now', () => {
    expect(lifetimeProblem({ iat: 0, exp: 3600 }, 3600, 0)).toBeUndefined();
    expect(lifetimeProblem({ iat: 0, exp: 3601 }, 3600, 0)).toMatch(/3601 s/);
    expect(lifetimeProblem({}, 3600, 0)).toMatch(/no expiry/);
  });

  it('reads MAX_TOKEN_LIFETIME as seconds or with a unit', () => {
    expect([durationSeconds('3600'), durationSeconds('90m'), durationSeconds('12h'), durationSeconds('1d')]).toEqual([
      3600, 5400, 43_200, 86_400,
    ]);
  });
});
