import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Express, Request, Response } from 'express';
import { SignJWT } from 'jose';

/** Where the console's built files are, unless CONSOLE_DIR says otherwise: the console workspace's dist/. */
export function defaultConsoleDir(): string {
  // dist/console.js of gateway/server, next to gateway/console.
  return resolve(__dirname, '..', '..', 'console', 'dist');
}

/**
 * Browsers may run the console's own scripts and connect to this origin only: no CDN, no other host.
 * Styles may be inline (GraphiQL and ECharts set them); report pages printed from the console are
 * same-origin frames.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

function loopback(req: Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const local = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  // The Host header is checked too, so that a page of another site cannot reach this through DNS rebinding.
  return local && ['localhost', '127.0.0.1', '[::1]'].includes(host);
}

export interface ConsoleOptions {
  /** The built console (index.html and assets/). */
  readonly dir: string;
  /**
   * In development only: the HS256 secret the gateway verifies callers with, so that the console can
   * offer the local admin token on this machine (as `npm start` prints it). Absent: no token is offered.
   */
  readonly developmentSecret?: string;
}

/**
 * Serves the console at `/`: static files built from npm packages, so it works with no internet. In
 * development, `GET /console/dev-token` gives a browser on this machine the local admin token.
 */
export function consoleRoutes(app: Express, options: ConsoleOptions): void {
  const index = join(options.dir, 'index.html');
  if (options.developmentSecret) {
    const key = new TextEncoder().encode(options.developmentSecret);
    app.get('/console/dev-token', async (req: Request, res: Response) => {
      if (!loopback(req)) {
        res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
        return;
      }
      const token = await new SignJWT({ role: 'admin', units: [] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('local-admin')
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(key);
      res.setHeader('cache-control', 'no-store');
      res.json({ token });
    });
  }
  const headers = (res: Response) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
  };
  app.use(
    '/assets',
    express.static(join(options.dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      fallthrough: false,
      setHeaders: headers,
    }),
  );
  app.get(['/', '/index.html'], (_req: Request, res: Response) => {
    if (!existsSync(index)) {
      res.status(503).type('text').send(`The console is not built: run npm run build (looked in ${options.dir})\n`);
      return;
    }
    headers(res);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
}
