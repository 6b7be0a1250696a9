import { feedChangeSchema, isFeedChange, parseFeedPage } from '../feed';

const change = {
  seq: 4,
  indicator: 'PB_NEW_MEMBERS',
  unitId: '304@2000-01-01',
  period: '2025S1',
  value: 1,
  target: null,
};

describe('feed page checks', () => {
  const cases: [string, unknown][] = [
    ['a change', change],
    ['one with updatedAt', { ...change, updatedAt: '2026-01-01T00:00:00.000Z' }],
    ['a deletion', { ...change, value: null }],
    ['seq 0', { ...change, seq: 0 }],
    ['a negative seq', { ...change, seq: -1 }],
    ['a fractional seq', { ...change, seq: 1.5 }],
    ['a string seq', { ...change, seq: '4' }],
    ['an empty indicator', { ...change, indicator: '' }],
    ['no unitId', { ...change, unitId: undefined }],
    ['a numeric period', { ...change, period: 2025 }],
    ['a missing value', { ...change, value: undefined }],
    ['a string value', { ...change, value: '1' }],
    ['an infinite target', { ...change, target: Infinity }],
    ['NaN', { ...change, value: NaN }],
    ['a numeric updatedAt', { ...change, updatedAt: 5 }],
    ['null', null],
    ['an array', [change]],
  ];

  it.each(cases)('isFeedChange agrees with the schema on %s', (_name, c) => {
    expect(isFeedChange(c)).toBe(feedChangeSchema.safeParse(c).success);
  });

  it('parseFeedPage accepts a good page and names the change and field of a bad one', () => {
    const page = { source: 'party', changes: [change, { ...change, seq: 5 }], lastSeq: 5, hasMore: false };
    expect(parseFeedPage(page)).toEqual({ success: true, data: page });
    const bad = parseFeedPage({ ...page, changes: [change, { ...change, seq: 5, value: '2' }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['changes', 1, 'value']);
    expect(parseFeedPage({ ...page, lastSeq: undefined }).success).toBe(false);
  });
});
