import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';
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
    expect(cache.get('a')).toBe(1); // and stays so when asked again
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

  test('with a JWKS, a key withdrawn from the set stops verifying once the set is fetched again', async () => {
    const a = await generateKeyPair('RS256');
    const b = await generateKeyPair('RS256');
    let published: JWK[] = [
      { ...(await exportJWK(a.publicKey)), kid: 'a', alg: 'RS256' },
      { ...(await exportJWK(b.publicKey)), kid: 'b', alg: 'RS256' },
    ];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const verify = createCallerTokenVerifier({ jwksUrl, keyRecheckMs: 300 });
      const signed = await new SignJWT({ role: 'viewer', units: ['31'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'a' })
        .setSubject('withdrawn')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(a.privateKey);
      await expect(verify(signed)).resolves.toMatchObject({ sub: 'withdrawn' });
      published = published.filter((k) => k.kid !== 'a');
      await new Promise((r) => setTimeout(r, 400));
      await expect(verify(signed)).rejects.toThrow(/Invalid token/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
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
