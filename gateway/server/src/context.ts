import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Identity, IdentitySigner } from '@lgr/kit/identity';

/** What every GraphQL operation carries through Apollo to the subgraph fetches. */
export interface GatewayContext {
  readonly identity: Identity;
  readonly requestId: string;
  /** The identity signed once per request for every subgraph fetch. */
  readonly forwarded: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: Identity;
  }
}

/** The operation's context: the identity the auth middleware put on the request, signed for the subgraphs. */
export async function contextFor(req: Request, sign: IdentitySigner): Promise<GatewayContext> {
  const identity = req.identity!;
  return {
    identity,
    requestId: String(req.headers['x-request-id'] ?? randomUUID()),
    forwarded: await sign(identity),
  };
}
