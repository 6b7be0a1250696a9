import { fold, matchesName } from '../fold';
import { formatCoverage, formatPct, formatValue } from '../format';
import { grainOf, halfYears, periodEnd } from '../periods';
import { toCsv } from '../table';

describe('console helpers', () => {
  it('folds Vietnamese names for an accent-insensitive search', () => {
    expect(fold('Ngô Quyền')).toBe('ngo quyen');
    expect(fold('Đằng Giang')).toBe('dang giang');
    expect(matchesName('Quận Ngô Quyền', 'ngo quy')).toBe(true);
    expect(matchesName('Đông Khê', 'DONG KHE')).toBe(true);
    expect(matchesName('Máy Chai', 'ngo')).toBe(false);
  });

  it('knows the last day and the grain of every kind of period', () => {
    expect(periodEnd('2025S1')).toBe('2025-06-30');
    expect(periodEnd('2024')).toBe('2024-12-31');
    expect(periodEnd('2025Q3')).toBe('2025-09-30');
    expect(periodEnd('202402')).toBe('2024-02-29');
    expect(periodEnd('2020-2025')).toBe('2025-06-30');
    expect(periodEnd('2025H1')).toBeUndefined();
    expect(grainOf('2025S2')).toBe('SIX_MONTH');
    expect(halfYears('2024S1', '2025S2')).toEqual(['2024S1', '2024S2', '2025S1', '2025S2']);
  });

  it('formats figures per language and never writes a missing one as 0', () => {
    expect(formatPct((100 * 254) / 271, 'vi')).toBe('93,7%');
    expect(formatPct((100 * 254) / 271, 'en')).toBe('93.7%');
    expect(formatValue(1520000, 'vi')).toBe('1.520.000');
    expect(formatValue(null, 'en')).toBe('—');
    expect(formatCoverage(0.9999, 'en')).toBe('99.9%');
  });

  it('writes CSV with a byte-order mark, quoting where needed and leaving missing cells empty', () => {
    const csv = toCsv({
      columns: ['unit', 'value'],
      rows: [
        ['Ngô Quyền, quận', 254],
        ['Máy "Chai"', null],
      ],
    });
    expect(csv).toBe('\uFEFFunit,value\r\n"Ngô Quyền, quận",254\r\n"Máy ""Chai""",\r\n');
  });
});
