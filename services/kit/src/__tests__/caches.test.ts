import { SignJWT } from 'jose';
import { BoundedCache } from '../bounded-cache';
import { createCallerTokenVerifier } from '../caller-token';
import { createForwardedIdentitySigner, createForwardedIdentityVerifier } from '../identity';

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

describe('BoundedCache', () => {
  test('an entry is good until its time, and the least recently used goes past the capacity', () => {
    let now = 1000;
    const cache = new BoundedCache<string, number>(2, () => now);
    cache.set('a', 1, 2000);
    cache.set('b', 2, 5000);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('c', 3, 5000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    now = 2000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(1);
  });
});

describe('cached token verification', () => {
  const token = (expiresIn: string, secret = SECRET) =>
    new SignJWT({ role: 'admin', units: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('cached')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(new TextEncoder().encode(secret));

  test('a verified caller token is refused once it has expired, however often it was used', async () => {
    const verify = createCallerTokenVerifier({ jwtSecret: SECRET });
    const short = await token('2s');
    expect(await verify(short)).toEqual({ sub: 'cached', role: 'admin', units: [] });
    expect(await verify(short)).toEqual({ sub: 'cached', role: 'admin', units: [] });
    await new Promise((r) => setTimeout(r, 2100));
    await expect(verify(short)).rejects.toThrow(/Invalid token/);
  });

  test('a token signed with another secret is refused, also after a valid one was cached', async () => {
    const verify = createCallerTokenVerifier({ jwtSecret: SECRET });
    await verify(await token('1h'));
    await expect(verify(await token('1h', 'another-secret-0123456789abcdef0123456789'))).rejects.toThrow(
      /Invalid token/,
    );
  });

  test('a forwarded identity is signed once per identity and verified by the secret it was signed with', async () => {
    const sign = createForwardedIdentitySigner(SECRET);
    const alice = { sub: 'alice', role: 'editor' as const, units: ['31'] };
    const first = await sign(alice);
    expect(await sign({ ...alice, units: ['31'] })).toBe(first);
    expect(await sign({ ...alice, units: ['304'] })).not.toBe(first);
    expect(await createForwardedIdentityVerifier(SECRET)(first)).toEqual(alice);
    await expect(createForwardedIdentityVerifier('another-secret-0123456789abcdef012345')(first)).rejects.toThrow(
      /forwarded identity is invalid/,
    );
    await expect(createForwardedIdentityVerifier(SECRET)(undefined)).rejects.toThrow(/No identity was forwarded/);
  });

  test('a signed identity is handed out for half its lifetime, then signed anew, for the same object too', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T08:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const sign = createForwardedIdentitySigner(SECRET);
      const alice = { sub: 'alice', role: 'editor' as const, units: ['31'] };
      const first = await sign(alice);
      jest.setSystemTime(new Date('2026-11-30T08:00:29Z'));
      // An equal identity first seen late gets the same token, good only as long as the first.
      const late = { ...alice };
      expect([await sign(alice), await sign(late)]).toEqual([first, first]);
      jest.setSystemTime(new Date('2026-11-30T08:00:31Z'));
      const second = await sign(alice);
      expect(second).not.toBe(first);
      expect([await sign(late), await sign({ ...alice })]).toEqual([second, second]);
    } finally {
      jest.useRealTimers();
    }
  });
});
