import { randomInt } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { createSecureContext, SecureContext, TLSSocket } from 'node:tls';
import { CallerTokenVerifier, Identity, Logger } from '@lgr/kit';
import { Sandbox } from '../sandbox/sandbox';
import { AnalystSql, assertMaySql } from '../sandbox/service';
import { CatalogDatabase } from './catalog/database';
import { QueryRouter, viewRelations } from './router';
import { PgSession } from './session';

export interface PgWireOptions {
  readonly port: number;
  readonly host: string;
  readonly verify: CallerTokenVerifier;
  readonly sql: AnalystSql;
  readonly sandbox: Sandbox;
  readonly logger: Logger;
  /** PEM key and certificate; with them an SSLRequest is answered with TLS, without them with 'N'. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Connections at once; more are refused (default 64). */
  readonly maxConnections?: number;
  /** A connection that has not authenticated within this long is closed (default 30 s). */
  readonly authTimeoutMs?: number;
}

export interface PgWireServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the PostgreSQL wire-protocol endpoint: BI tools and drivers connect to database `lgr` with
 * the caller's JWT as the password and query the analysts' views and `aggregate(...)` under exactly
 * the role, scope and limits of `POST /sql`.
 */
export async function startPgWire(options: PgWireOptions): Promise<PgWireServer> {
  const sessions = new Map<number, PgSession>();
  const secure: SecureContext | undefined = options.tls
    ? createSecureContext({ key: options.tls.key, cert: options.tls.cert })
    : undefined;
  const catalog = await CatalogDatabase.open();
  let loading: Promise<CatalogDatabase> | undefined;
  // The views' columns come from the sandbox once; a failed attempt is retried by the next query.
  const loadedCatalog = (): Promise<CatalogDatabase> =>
    (loading ??= (async () => {
      if (!catalog.loaded) await catalog.load(await viewRelations(options.sandbox));
      return catalog;
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  const authenticate = async (token: string): Promise<Identity> => {
    const identity = await options.verify(token);
    assertMaySql(identity);
    return identity;
  };
  const host = {
    authenticate,
    router: (identity: Identity) => new QueryRouter(identity, options.sql, loadedCatalog),
    ...(secure
      ? { startTls: (socket: Socket) => new TLSSocket(socket, { isServer: true, secureContext: secure }) }
      : {}),
    cancel: (pid: number, secret: number) => {
      const session = sessions.get(pid);
      if (session && session.secret === secret) session.cancel();
    },
    logger: options.logger,
  };
  const server: Server = createServer((socket) => {
    if (sessions.size >= (options.maxConnections ?? 64)) {
      socket.destroy();
      return;
    }
    let pid = randomInt(1, 2 ** 31 - 1);
    while (sessions.has(pid)) pid = randomInt(1, 2 ** 31 - 1);
    const session = new PgSession(socket, pid, randomInt(-(2 ** 31), 2 ** 31 - 1), host);
    sessions.set(pid, session);
    const timer = setTimeout(() => {
      if (!session.authenticated) session.close();
    }, options.authTimeoutMs ?? 30_000);
    socket.on('close', () => {
      clearTimeout(timer);
      sessions.delete(pid);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ port, tls: Boolean(secure) }, 'PostgreSQL wire protocol listening');
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions.values()) session.close();
      await closed;
      catalog.close();
    },
  };
}
