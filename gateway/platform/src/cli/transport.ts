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

/** How the gateway transport waits when the gateway says the caller is over its rate. */
export interface RetryPolicy {
  /** Retries of one request refused with RATE_LIMITED before giving up. */
  readonly maxRetries: number;
  /** Told before each wait, so a long job can say why it pauses. */
  readonly onWait?: (seconds: number, retry: number, maxRetries: number) => void;
}

/** Enough retries to ride out a full minute's bucket at the default limit, few enough to end a stuck job. */
export const DEFAULT_RATE_LIMIT_RETRIES = 10;

/** The longest single wait: a larger Retry-After is not trusted (a misconfigured proxy). */
const MAX_WAIT_SECONDS = 120;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: GraphQLResponse;
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Answer> {
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
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as GraphQLResponse };
  } catch {
    throw new TransportError(
      `${url} answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 200)}`,
    );
  }
}

function rateLimited(answer: Answer): boolean {
  return answer.status === 429 || answer.body.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED') === true;
}

/** Seconds to wait before retry number `retry` (1-based): the Retry-After header, else a doubling backoff. */
export function retryDelaySeconds(retryAfter: string | null, retry: number, now = Date.now()): number {
  const backoff = Math.min(2 ** (retry - 1), MAX_WAIT_SECONDS);
  if (retryAfter === null || !retryAfter.trim()) return backoff;
  const text = retryAfter.trim();
  // Retry-After is either whole seconds or an HTTP date (RFC 9110, 10.2.3).
  const seconds = /^\d+$/.test(text) ? Number(text) : (Date.parse(text) - now) / 1000;
  if (!Number.isFinite(seconds)) return backoff;
  return Math.min(Math.max(Math.ceil(seconds), 1), MAX_WAIT_SECONDS);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends every operation to the gateway with the user's token. A request refused as over the
 * caller's rate (HTTP 429 / RATE_LIMITED: the gateway refuses it before running it, so nothing was
 * written) is sent again after the wait the gateway names in `Retry-After`, at most
 * `retry.maxRetries` times; after that the refusal is returned as the answer.
 */
export function gatewayTransport(
  url: string,
  token: string,
  retry: RetryPolicy = { maxRetries: DEFAULT_RATE_LIMIT_RETRIES },
): Transport {
  return async (_domain, query, variables) => {
    for (let attempt = 0; ; attempt++) {
      const answer = await post(url, { authorization: `Bearer ${token}` }, { query, variables });
      if (!rateLimited(answer) || attempt >= retry.maxRetries) return answer.body;
      const seconds = retryDelaySeconds(answer.headers.get('retry-after'), attempt + 1);
      retry.onWait?.(seconds, attempt + 1, retry.maxRetries);
      await sleep(seconds * 1000);
    }
  };
}

/** Sends each domain's operations straight to its subgraph, with an identity signed as the gateway would. */
export function subgraphTransport(urls: Record<Domain, string>, identity: Identity, secret: string): Transport {
  return async (domain, query, variables) =>
    (
      await post(
        urls[domain],
        { [IDENTITY_HEADER]: await signForwardedIdentity(identity, secret) },
        { query, variables },
      )
    ).body;
}
