import { Identity, IDENTITY_HEADER, SERVICE_IDENTITY, signForwardedIdentity } from '@lgr/kit';
import { FeedPage as FeedPageContract, parseFeedPage } from '@lgr/schema';

/** The domain subgraphs whose change feeds analytics follows. */
export const SOURCE_NAMES = ['party', 'economy', 'social'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** One page of a change feed (`GET <url>/internal/feed?after=<seq>&limit=<n>`), checked and from a known source. */
export type FeedPage = Omit<FeedPageContract, 'source'> & { readonly source: SourceName };

/** Thrown when a feed answers with something other than the feed contract; the message says what differed. */
export class FeedProtocolError extends Error {
  constructor(source: string, reason: string) {
    super(`The ${source} feed broke its contract: ${reason}`);
    this.name = 'FeedProtocolError';
  }
}

/** Thrown when a feed answers with an HTTP error status. */
export class FeedHttpError extends Error {
  constructor(
    source: string,
    readonly status: number,
    body: string,
  ) {
    super(`The ${source} feed answered HTTP ${status}: ${body.slice(0, 200)}`);
    this.name = 'FeedHttpError';
  }
}

/**
 * Signs the platform's service identity for feed requests. A signed identity is valid for a minute,
 * so one is reused for half of that instead of being signed for every poll.
 */
export class ServiceCredentials {
  private token?: string;
  private signedAt = 0;

  constructor(
    private readonly secret: string,
    private readonly reuseMs = 30_000,
  ) {}

  async header(): Promise<string> {
    if (!this.token || Date.now() - this.signedAt > this.reuseMs) {
      this.token = await signForwardedIdentity(SERVICE_IDENTITY as Identity, this.secret);
      this.signedAt = Date.now();
    }
    return this.token;
  }
}

/** The URL of one feed page; `baseUrl` is the subgraph's root (a trailing `/graphql` is ignored). */
export function feedPageUrl(baseUrl: string, after: number, limit: number): string {
  const root = baseUrl.replace(/\/graphql\/?$/, '').replace(/\/$/, '');
  return `${root}/internal/feed?after=${after}&limit=${limit}`;
}

/**
 * Checks a feed page against the contract: the right source, changes strictly after the cursor and
 * in order, and a `lastSeq` that covers them. Anything else would move the cursor past changes that
 * were never applied, so it is refused rather than repaired.
 */
export function validateFeedPage(source: SourceName, after: number, body: unknown): FeedPage {
  const parsed = parseFeedPage(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FeedProtocolError(
      source,
      `expected { source, changes, lastSeq, hasMore }; ${issue.path.join('.') || 'body'}: ${issue.message}`,
    );
  }
  const page = parsed.data;
  if (page.source !== source) throw new FeedProtocolError(source, `expected source "${source}", got "${page.source}"`);
  let previous = after;
  for (const change of page.changes) {
    if (change.seq <= previous) {
      throw new FeedProtocolError(
        source,
        `expected seq above ${previous} (after=${after}, ascending), got ${change.seq}`,
      );
    }
    previous = change.seq;
  }
  if (page.lastSeq < after) {
    throw new FeedProtocolError(
      source,
      `lastSeq ${page.lastSeq} is below the cursor ${after}; was the subgraph's database replaced?`,
    );
  }
  if (page.lastSeq < previous)
    throw new FeedProtocolError(source, `lastSeq ${page.lastSeq} is below the last change's seq ${previous}`);
  if (page.hasMore && page.lastSeq === after) {
    throw new FeedProtocolError(source, `hasMore is true but lastSeq did not move past ${after}`);
  }
  return { source, changes: page.changes, lastSeq: page.lastSeq, hasMore: page.hasMore };
}

/** Fetches and validates one page of a domain subgraph's change feed. */
export async function fetchFeedPage(options: {
  readonly source: SourceName;
  readonly url: string;
  readonly after: number;
  readonly limit: number;
  readonly credentials: ServiceCredentials;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}): Promise<FeedPage> {
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  const res = await fetch(feedPageUrl(options.url, options.after, options.limit), {
    headers: { [IDENTITY_HEADER]: await options.credentials.header(), accept: 'application/json' },
    signal: AbortSignal.any(signals),
  });
  if (!res.ok) throw new FeedHttpError(options.source, res.status, await res.text().catch(() => ''));
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new FeedProtocolError(options.source, 'expected a JSON body');
  }
  return validateFeedPage(options.source, options.after, body);
}
