import type { Domain } from '@lgr/schema';
import { Identity, IDENTITY_HEADER, signForwardedIdentity } from '@lgr/kit/identity';

/** A GraphQL answer as it comes over HTTP. */
export interface GraphQLResponse {
  data?: Record<string, Record<string, unknown> | null | undefined> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * How the CLI reaches a domain subgraph's GraphQL API: through the gateway (the normal way), or, in
 * tests and on an operator's machine inside the platform, straight to the subgraph with a forwarded
 * identity.
 */
export type Transport = (domain: Domain, query: string, variables: Record<string, unknown>) => Promise<GraphQLResponse>;

/** Thrown when the platform cannot be reached or answers something that is not GraphQL. */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<GraphQLResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new TransportError(`Cannot reach ${url}: ${(error as Error).message}`);
  }
  const text = await res.text();
  try {
    return JSON.parse(text) as GraphQLResponse;
  } catch {
    throw new TransportError(
      `${url} answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 200)}`,
    );
  }
}

/** Sends every operation to the gateway with the user's token. */
export function gatewayTransport(url: string, token: string): Transport {
  return (_domain, query, variables) => post(url, { authorization: `Bearer ${token}` }, { query, variables });
}

/** Sends each domain's operations straight to its subgraph, with an identity signed as the gateway would. */
export function subgraphTransport(urls: Record<Domain, string>, identity: Identity, secret: string): Transport {
  return async (domain, query, variables) =>
    post(urls[domain], { [IDENTITY_HEADER]: await signForwardedIdentity(identity, secret) }, { query, variables });
}
