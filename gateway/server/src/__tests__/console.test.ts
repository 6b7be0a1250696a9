import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { jwtVerify } from 'jose';
import { consoleRoutes } from '../console';

const SECRET = 'console-test-secret-0123456789abcdef0123456789';

/** A GET with a chosen Host header (fetch does not let a caller set it). */
function get(
  port: number,
  path: string,
  host: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(options: Parameters<typeof consoleRoutes>[1]) {
  const app = express();
  consoleRoutes(app, options);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
}

describe('console routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'app-X.js'), 'console.log(1)');

  it('serves the built page and its assets with a policy that keeps the browser on this origin', async () => {
    const s = await serve({ dir });
    try {
      const page = await get(s.port, '/', `127.0.0.1:${s.port}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>console</title>');
      expect(String(page.headers['content-security-policy'])).toContain("connect-src 'self'");
      expect((await get(s.port, '/assets/app-X.js', 'localhost')).status).toBe(200);
      expect((await get(s.port, '/assets/missing.js', 'localhost')).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('says how to build the console when it is not built', async () => {
    const s = await serve({ dir: join(dir, 'nowhere') });
    try {
      const page = await get(s.port, '/', 'localhost');
      expect(page.status).toBe(503);
      expect(page.body).toMatch(/npm run build/);
    } finally {
      await s.close();
    }
  });

  it('offers the development token to this machine only, never through another host name', async () => {
    const s = await serve({ dir, developmentSecret: SECRET });
    try {
      const local = await get(s.port, '/console/dev-token', `localhost:${s.port}`);
      expect(local.status).toBe(200);
      const { payload } = await jwtVerify(
        (JSON.parse(local.body) as { token: string }).token,
        new TextEncoder().encode(SECRET),
      );
      expect(payload).toMatchObject({ role: 'admin', sub: 'local-admin' });
      // A page of another site resolving its name to 127.0.0.1 (DNS rebinding) gets nothing.
      expect((await get(s.port, '/console/dev-token', 'attacker.example:80')).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('offers no token when no development secret is given (production)', async () => {
    const s = await serve({ dir });
    try {
      expect((await get(s.port, '/console/dev-token', 'localhost')).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});
