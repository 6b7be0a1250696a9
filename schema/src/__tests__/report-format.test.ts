import { formatNumber, formatPadded, formatPercent, formatShare, reportDecimals } from '../report-format';

const vi = { decimalSeparator: ',', groupSeparator: '.' };
const en = { decimalSeparator: '.', groupSeparator: ',' };

describe('report number formatting', () => {
  it("writes the seed report's percentages in both languages", () => {
    expect(formatPercent((100 * 254) / 271, vi)).toBe('93,7%');
    expect(formatPercent((100 * 254) / 271, en)).toBe('93.7%');
    expect(formatPercent((100 * 820800) / 414756, vi)).toBe('197,9%');
    expect(formatPercent((100 * 174933) / 310000, vi)).toBe('56,43%');
    expect(formatPercent((100 * 174933) / 153047, en)).toBe('114.3%');
    expect(formatPercent(54, vi)).toBe('54%');
    expect(formatPercent(125, en)).toBe('125%');
  });

  it('keeps two decimals only when they are exact, else one', () => {
    expect(reportDecimals(56.43)).toBe(2);
    expect(reportDecimals(93.72693)).toBe(1);
    expect(reportDecimals(100)).toBe(0);
    expect(reportDecimals(12.5)).toBe(1);
  });

  it("groups thousands with the language's separator", () => {
    expect(formatNumber(1520000, vi)).toBe('1.520.000');
    expect(formatNumber(1520000, en)).toBe('1,520,000');
    expect(formatNumber(-1234.5, vi)).toBe('-1.234,5');
    expect(formatNumber(0, en)).toBe('0');
  });

  it('pads counts below ten to two digits, as Party documents do', () => {
    expect(formatPadded(5, vi)).toBe('05');
    expect(formatPadded(3, en)).toBe('03');
    expect(formatPadded(16, en)).toBe('16');
  });

  it('never shows a share short of all as 100%', () => {
    expect(formatShare(0.9999, en)).toBe('99.9%');
    expect(formatShare(2 / 114, vi)).toBe('1,7%');
    expect(formatShare(1, vi)).toBe('100%');
  });
});
