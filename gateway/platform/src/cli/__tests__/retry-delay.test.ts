import { retryDelaySeconds } from '../transport';

describe('retryDelaySeconds', () => {
  const now = Date.parse('2026-11-30T10:00:00Z');

  it('waits the seconds Retry-After names, at least one', () => {
    expect(retryDelaySeconds('7', 1, now)).toBe(7);
    expect(retryDelaySeconds(' 3 ', 4, now)).toBe(3);
    expect(retryDelaySeconds('0', 1, now)).toBe(1);
  });

  it('reads an HTTP date as the time to wait until', () => {
    expect(retryDelaySeconds('Mon, 30 Nov 2026 10:00:12 GMT', 1, now)).toBe(12);
    expect(retryDelaySeconds('Mon, 30 Nov 2026 09:59:00 GMT', 1, now)).toBe(1);
  });

  it('doubles from one second when the header is missing or unreadable, up to two minutes', () => {
    expect([1, 2, 3, 4].map((retry) => retryDelaySeconds(null, retry, now))).toEqual([1, 2, 4, 8]);
    expect(retryDelaySeconds('soon', 3, now)).toBe(4);
    expect(retryDelaySeconds(null, 20, now)).toBe(120);
  });

  it('does not trust a wait longer than two minutes', () => {
    expect(retryDelaySeconds('86400', 1, now)).toBe(120);
  });
});
