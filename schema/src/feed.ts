import { z } from 'zod';

const seq = z.number().int().nonnegative();

/**
 * Changes per feed page, asked for by analytics and served by default by the domain services. Large
 * pages let analytics apply a bulk write as one staged INSERT ... SELECT per page; 500-row pages
 * left it paying a transaction per 500 changes.
 */
export const FEED_PAGE_SIZE = 10_000;

/** The largest page a domain service serves. */
export const MAX_FEED_PAGE_SIZE = 10_000;

/**
 * One change of a domain subgraph's change feed: the full new state of a figure's key (value and
 * target both null: the figure is gone). The domain services produce it, analytics applies it.
 */
export const feedChangeSchema = z.object({
  seq,
  indicator: z.string().min(1),
  unitId: z.string().min(1),
  period: z.string().min(1),
  value: z.number().finite().nullable(),
  target: z.number().finite().nullable(),
  /** When the figure was last written; the domain services always send it. */
  updatedAt: z.string().optional(),
});
export type FeedChange = z.infer<typeof feedChangeSchema>;

/** One page of a change feed, the answer of `GET <subgraph>/internal/feed?after=<seq>&limit=<n>`. */
export const feedPageSchema = z.object({
  source: z.string(),
  changes: z.array(feedChangeSchema).max(MAX_FEED_PAGE_SIZE),
  /** The cursor to pass as `after` next time: the last change's seq, or `after` itself when none followed. */
  lastSeq: seq,
  hasMore: z.boolean(),
});
export type FeedPage = z.infer<typeof feedPageSchema>;

/** The page without its changes checked one by one (see {@link parseFeedPage}). */
const feedPageEnvelopeSchema = feedPageSchema.extend({ changes: z.array(z.unknown()).max(MAX_FEED_PAGE_SIZE) });

/** Whether `c` is a {@link FeedChange}: the checks of {@link feedChangeSchema}, written out. */
export function isFeedChange(c: unknown): c is FeedChange {
  if (typeof c !== 'object' || c === null) return false;
  const o = c as Record<string, unknown>;
  return (
    typeof o.seq === 'number' &&
    Number.isInteger(o.seq) &&
    o.seq >= 0 &&
    typeof o.indicator === 'string' &&
    o.indicator.length > 0 &&
    typeof o.unitId === 'string' &&
    o.unitId.length > 0 &&
    typeof o.period === 'string' &&
    o.period.length > 0 &&
    (o.value === null || (typeof o.value === 'number' && Number.isFinite(o.value))) &&
    (o.target === null || (typeof o.target === 'number' && Number.isFinite(o.target))) &&
    (o.updatedAt === undefined || typeof o.updatedAt === 'string')
  );
}

/**
 * Checks a page against {@link feedPageSchema}. A page of 10,000 changes checked field by field by
 * zod costs more than storing them, so the changes are checked by {@link isFeedChange} and only a
 * page that fails is run through the schema, for its message naming the change and the field.
 */
export function parseFeedPage(body: unknown): z.SafeParseReturnType<unknown, FeedPage> {
  const envelope = feedPageEnvelopeSchema.safeParse(body);
  if (envelope.success && envelope.data.changes.every(isFeedChange)) {
    const changes = envelope.data.changes as FeedChange[];
    return { success: true, data: { ...envelope.data, changes } };
  }
  return feedPageSchema.safeParse(body);
}
