import { feedPageUrl, FeedHttpError, FeedProtocolError, validateFeedPage } from '../feed-client';
import { publicReason } from '../syncer';

const change = (seq: number) => ({
  seq,
  indicator: 'PB_NEW_MEMBERS',
  unitId: '304@2000-01-01',
  period: '2025S1',
  value: 1,
  target: null,
});

describe('feed pages', () => {
  it('builds the page URL from a subgraph root or its GraphQL URL', () => {
    expect(feedPageUrl('http://127.0.0.1:4002', 5, 100)).toBe('http://127.0.0.1:4002/internal/feed?after=5&limit=100');
    expect(feedPageUrl('http://127.0.0.1:4002/graphql', 0, 10)).toBe(
      'http://127.0.0.1:4002/internal/feed?after=0&limit=10',
    );
  });

  it('accepts a page of ascending changes after the cursor', () => {
    const page = validateFeedPage('party', 3, {
      source: 'party',
      changes: [change(4), change(9)],
      lastSeq: 9,
      hasMore: true,
    });
    expect(page).toMatchObject({ lastSeq: 9, hasMore: true });
    expect(page.changes).toHaveLength(2);
  });

  it('accepts an empty page at the cursor', () => {
    expect(validateFeedPage('party', 3, { source: 'party', changes: [], lastSeq: 3, hasMore: false })).toMatchObject({
      lastSeq: 3,
    });
  });

  it.each([
    [
      'another source',
      { source: 'economy', changes: [], lastSeq: 3, hasMore: false },
      /expected source "party", got "economy"/,
    ],
    [
      'a change at or before the cursor',
      { source: 'party', changes: [change(3)], lastSeq: 3, hasMore: false },
      /expected seq above 3/,
    ],
    [
      'changes out of order',
      { source: 'party', changes: [change(5), change(4)], lastSeq: 5, hasMore: false },
      /expected seq above 5/,
    ],
    [
      'lastSeq below its changes',
      { source: 'party', changes: [change(5)], lastSeq: 4, hasMore: false },
      /lastSeq 4 is below the last change's seq 5/,
    ],
    ['lastSeq below the cursor', { source: 'party', changes: [], lastSeq: 1, hasMore: false }, /below the cursor 3/],
    ['hasMore without progress', { source: 'party', changes: [], lastSeq: 3, hasMore: true }, /did not move past 3/],
    ['a missing field', { source: 'party', changes: [], hasMore: false }, /lastSeq: Required/],
    [
      'a value that is not a number',
      { source: 'party', changes: [{ ...change(4), value: '12' }], lastSeq: 4, hasMore: false },
      /changes.0.value/,
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(() => validateFeedPage('party', 3, body)).toThrow(FeedProtocolError);
    expect(() => validateFeedPage('party', 3, body)).toThrow(message);
  });

  it('describes failures without internals', () => {
    expect(publicReason(new FeedHttpError('party', 503, 'secret detail'), 1000)).toBe('the feed answered HTTP 503');
    expect(publicReason(new FeedProtocolError('party', 'detail'), 1000)).toBe(
      'the feed answered with data that breaks the feed contract',
    );
    expect(publicReason(Object.assign(new Error('x'), { name: 'TimeoutError' }), 1000)).toBe(
      'the feed did not answer within 1000 ms',
    );
    expect(publicReason(new TypeError('fetch failed'), 1000)).toBe('the feed is unreachable');
    expect(publicReason(new Error('Constraint Error: duplicate key /data/x.duckdb'), 1000)).toBe(
      "the feed's changes could not be applied",
    );
  });
});
