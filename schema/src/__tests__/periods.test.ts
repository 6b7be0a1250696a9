import {
  calendarPeriodsWithin,
  decomposeSpan,
  enclosingPeriod,
  nextDay,
  parsePeriod,
  periodContaining,
  periodsInRange,
  previousDay,
  shiftYears,
  subPeriods,
  tryParsePeriod,
  isValidIsoDate,
  monthOf,
} from '..';

const codes = (ps: { code: string }[]) => ps.map((p) => p.code);

describe('parsePeriod', () => {
  it.each([
    ['2025', 'YEAR', '2025-01-01', '2025-12-31'],
    ['2025S1', 'SIX_MONTH', '2025-01-01', '2025-06-30'],
    ['2025S2', 'SIX_MONTH', '2025-07-01', '2025-12-31'],
    ['2025Q3', 'QUARTER', '2025-07-01', '2025-09-30'],
    ['202507', 'MONTH', '2025-07-01', '2025-07-31'],
    ['202402', 'MONTH', '2024-02-01', '2024-02-29'],
    ['202502', 'MONTH', '2025-02-01', '2025-02-28'],
    ['190002', 'MONTH', '1900-02-01', '1900-02-28'],
    ['200002', 'MONTH', '2000-02-01', '2000-02-29'],
    ['2020-2025', 'TERM', '2020-07-01', '2025-06-30'],
  ])('%s is a %s from %s to %s', (code, grain, start, end) => {
    expect(parsePeriod(code)).toMatchObject({ code, grain, start, end });
  });

  it.each([['2025S3'], ['2025Q5'], ['202513'], ['202500'], ['25'], ['2025-2026'], ['abc'], ['']])(
    'refuses %j with a reason',
    (code) => {
      expect(() => parsePeriod(code)).toThrow(/Invalid period/);
      expect(tryParsePeriod(code)).toBeUndefined();
    },
  );

  it('says what a month code must look like', () => {
    expect(() => parsePeriod('202513')).toThrow('month 13 is not between 01 and 12');
  });
});

describe('sub-periods and ranges', () => {
  it('splits a year into halves, a half into quarters, a quarter into months', () => {
    expect(codes(subPeriods(parsePeriod('2025')))).toEqual(['2025S1', '2025S2']);
    expect(codes(subPeriods(parsePeriod('2025S2')))).toEqual(['2025Q3', '2025Q4']);
    expect(codes(subPeriods(parsePeriod('2025Q4')))).toEqual(['202510', '202511', '202512']);
    expect(subPeriods(parsePeriod('202512'))).toEqual([]);
  });

  it('splits a term into its years with half-years at the ends', () => {
    expect(codes(subPeriods(parsePeriod('2020-2025')))).toEqual(['2020S2', '2021', '2022', '2023', '2024', '2025S1']);
  });

  it('decomposes a span crossing the year boundary into the fewest periods', () => {
    const span = { startMonth: parsePeriod('202411').startMonth, endMonth: parsePeriod('202503').endMonth };
    expect(codes(decomposeSpan(span))).toEqual(['202411', '202412', '2025Q1']);
    const ytd = { startMonth: parsePeriod('2025').startMonth, endMonth: parsePeriod('2025Q3').endMonth };
    expect(codes(decomposeSpan(ytd))).toEqual(['2025S1', '2025Q3']);
  });

  it('lists every calendar period inside a year', () => {
    expect(calendarPeriodsWithin(parsePeriod('2025'))).toHaveLength(1 + 2 + 4 + 12);
  });

  it('lists periods of a grain in a range, across the year boundary', () => {
    expect(codes(periodsInRange(parsePeriod('2024Q4'), parsePeriod('2025Q2'), 'QUARTER'))).toEqual([
      '2024Q4',
      '2025Q1',
      '2025Q2',
    ]);
    expect(codes(periodsInRange(parsePeriod('2016'), parsePeriod('2030'), 'TERM'))).toEqual(['2020-2025', '2025-2030']);
  });
});

describe('shifting, containing and enclosing', () => {
  it('shifts back a year, leap day included', () => {
    expect(shiftYears(parsePeriod('2025S1'), -1)).toMatchObject({ code: '2024S1' });
    expect(shiftYears(parsePeriod('202402'), -1)).toMatchObject({ code: '202302', end: '2023-02-28' });
    expect(shiftYears(parsePeriod('202502'), -1)).toMatchObject({ code: '202402', end: '2024-02-29' });
    expect(shiftYears(parsePeriod('202501'), -1)).toMatchObject({ code: '202401' });
  });

  it('shifts a term to a plain month span', () => {
    const shifted = shiftYears(parsePeriod('2020-2025'), -1);
    expect('code' in shifted).toBe(false);
    expect(codes(decomposeSpan(shifted))).toEqual(['2019S2', '2020', '2021', '2022', '2023', '2024S1']);
  });

  it('finds the year or term that encloses a period, and none for a year across two terms', () => {
    expect(enclosingPeriod(parsePeriod('2025S1'), 'YEAR')?.code).toBe('2025');
    expect(enclosingPeriod(parsePeriod('2025S1'), 'TERM')?.code).toBe('2020-2025');
    expect(enclosingPeriod(parsePeriod('2025Q3'), 'TERM')?.code).toBe('2025-2030');
    expect(enclosingPeriod(parsePeriod('2025'), 'TERM')).toBeUndefined();
    expect(periodContaining(monthOf('2025-12-31'), 'QUARTER')?.code).toBe('2025Q4');
  });
});

describe('dates', () => {
  it('steps across month, year and leap-day boundaries', () => {
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2025-02-28')).toBe('2025-03-01');
    expect(nextDay('2025-12-31')).toBe('2026-01-01');
    expect(previousDay('2025-01-01')).toBe('2024-12-31');
    expect(previousDay('2024-03-01')).toBe('2024-02-29');
  });

  it('refuses impossible days', () => {
    expect(isValidIsoDate('2025-02-29')).toBe(false);
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2025-13-01')).toBe(false);
    expect(isValidIsoDate('2025-7-1')).toBe(false);
  });
});
