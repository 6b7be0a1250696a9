import { monthOf, parsePeriod } from '@lgr/schema';
import { realCatalog } from './helpers';
import { additiveStatement, additiveValues, answerReads, expectedOver, stockSplits } from '../additive';
import { planAnswer } from '../plan';
import { unitKeys } from '../unit-keys';

describe('the additive path', () => {
  const catalog = realCatalog();
  const reads = (request: Parameters<typeof planAnswer>[1]) => answerReads(planAnswer(catalog, request), catalog)!;

  it('reads each span once: the value, the same period a year earlier, and the target period', () => {
    const spans = reads({ indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2024'] });
    const months = (code: string) => [parsePeriod(code).startMonth, parsePeriod(code).endMonth];
    expect(spans.map((s) => [s.startMonth, s.endMonth, s.value, s.target ?? null])).toEqual([
      // The year is its own year to date, and its own target period.
      [...months('2024'), true, '2024'],
      [...months('2023'), true, null],
    ]);
  });

  it('binds every code, unit and month of the spans it reads', () => {
    const spans = reads({ indicators: ['PB_NEW_MEMBERS', 'AR_TTHC_ONTIME_PCT'], units: ['304'], periods: ['2024'] });
    const s = additiveStatement(spans, unitKeys(catalog), (code) => code === 'AR_TTHC_ONTIME');
    for (const code of ['PB_NEW_MEMBERS', 'AR_TTHC_ONTIME', '2024', '304', String(monthOf('2024-01-01'))])
      expect(s.sql).not.toContain(code);
    expect(s.params).toContain('AR_TTHC_RESOLVED');
    expect(s.types).toHaveLength(s.params.length);
    expect(() => additiveStatement([{ ...spans[0]!, unitId: 'nowhere' }], unitKeys(catalog))).toThrow(
      'Expected a unit of the catalogue, got "nowhere"',
    );
  });

  it('knows which STOCK spans a newer unit divides', () => {
    const commune = catalog.validOn('2025-12-31', 'COMMUNE')[0]!;
    const span = (code: string) => parsePeriod(code);
    // A new commune began on 2025-07-01: 2025 straddles it, its halves do not.
    expect(stockSplits(catalog, commune.id, span('2025'))).toBe(true);
    expect(stockSplits(catalog, commune.id, span('2025S1'))).toBe(false);
    expect(stockSplits(catalog, commune.id, span('2025S2'))).toBe(false);
    // A month is never split.
    expect(stockSplits(catalog, commune.id, span('202507'))).toBe(false);
    // A FLOW expects every month of its sources, a STOCK each source once.
    expect(expectedOver(catalog, commune.id, span('2025S2'))).toBe(6);
    expect(expectedOver(catalog, commune.id, span('2025S2'), true)).toBe(1);
  });

  it('reads the answer back, refusing one without the catalogue digest or with a span it did not ask', () => {
    const spans = reads({ indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2024'] });
    const digest = { key: -1, digest: 'abc' };
    const row = { key: 0, value: 12, reported: 3, lost: 0, irregular: 0, n: 1, targets: '304@2000-01-01\u001f40' };
    const answer = additiveValues(catalog, [digest, row], spans, 'abc');
    expect(answer.kind).toBe('values');
    if (answer.kind !== 'values') return;
    expect(answer.values.of({ code: 'PB_NEW_MEMBERS' }, spans[0]!.unitId, spans[0]!).value).toBe(12);
    // A span without a row has no value, and expects what its sources do.
    expect(answer.values.of({ code: 'PB_NEW_MEMBERS' }, spans[1]!.unitId, spans[1]!)).toMatchObject({
      value: null,
      reported: 0,
    });
    expect(answer.targets).toEqual([
      { indicator: 'PB_NEW_MEMBERS', unitId: '304@2000-01-01', period: '2024', value: null, target: 40 },
    ]);
    expect(additiveValues(catalog, [digest, { ...row, irregular: 1 }], spans, 'abc').kind).toBe('irregular');
    expect(additiveValues(catalog, [digest], spans, 'other')).toEqual({ kind: 'catalog', digest: 'abc' });
    expect(() => additiveValues(catalog, [row], spans, 'abc')).toThrow('Expected the catalogue digest row');
    expect(() => additiveValues(catalog, [digest, { ...row, key: 9 }], spans, 'abc')).toThrow(
      'Expected a span key below 2, got 9',
    );
  });
});
