import { monthOf, parsePeriod } from '@lgr/schema';
import { realCatalog } from './helpers';
import {
  additiveStatement,
  additiveValues,
  answerReads,
  BOUND_SOURCES_MAX,
  expectedOver,
  spanCells,
  stockSplits,
} from '../additive';
import { planAnswer } from '../plan';
import { unitKeys } from '../unit-keys';

describe('the additive path', () => {
  const catalog = realCatalog();
  const reads = (request: Parameters<typeof planAnswer>[1]) =>
    answerReads(planAnswer(catalog, request), catalog)!.spans;

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
    const spans = reads({ indicators: ['PB_NEW_MEMBERS', 'AR_TTHC_ONTIME_PCT'], units: ['31'], periods: ['2024'] });
    const s = additiveStatement(spans, catalog, unitKeys(catalog), (code) => code === 'AR_TTHC_ONTIME');
    // A city's sources are its communes: more than are bound, so they are joined from the store.
    expect(s.readsCatalog).toBe(true);
    expect(s.sql).toContain('unit_month_source');
    for (const code of ['PB_NEW_MEMBERS', 'AR_TTHC_ONTIME', '2024', '31@', String(monthOf('2024-01-01'))])
      expect(s.sql).not.toContain(code);
    expect(JSON.stringify(s.params)).toContain('AR_TTHC_RESOLVED');
    expect(s.types).toHaveLength(s.params.length);
    expect(() => additiveStatement([{ ...spans[0]!, unitId: 'nowhere' }], catalog, unitKeys(catalog))).toThrow(
      'Expected a unit version of the catalogue, got "nowhere"',
    );
  });

  it('binds the month sources of a small question instead of reading the catalogue tables', () => {
    const commune = catalog.validOn('2024-12-31', 'COMMUNE')[0]!;
    const spans = reads({
      indicators: ['PB_NEW_MEMBERS'],
      units: [commune.id],
      periods: ['2024'],
      measures: ['VALUE'],
    });
    const s = additiveStatement(spans, catalog, unitKeys(catalog), () => false);
    expect(s.readsCatalog).toBe(false);
    expect(s.sql).not.toContain('unit_month_source');
    expect(s.sql).not.toContain(commune.id);
    expect(s.types).toHaveLength(s.params.length);
    // A leaf reads itself; checked for its own figures, it is still a leaf.
    expect(spanCells(catalog, spans, () => false).map((c) => [c.source.unitId, c.source.kind])).toEqual([
      [commune.id, 'READ'],
    ]);
    expect(spanCells(catalog, spans, () => true)).toHaveLength(1);
    // A province over a year has many.
    const province = reads({ indicators: ['PB_NEW_MEMBERS'], units: ['31'], periods: ['2024'], measures: ['VALUE'] });
    expect(spanCells(catalog, province, () => false).length).toBeGreaterThan(BOUND_SOURCES_MAX);
    expect(additiveStatement(province, catalog, unitKeys(catalog), () => false).readsCatalog).toBe(true);
    // Its communes, each a leaf, have one source each: however many, they are bound.
    const communes = reads({
      indicators: ['PB_NEW_MEMBERS'],
      units: ['31'],
      periods: ['2024'],
      level: 'COMMUNE',
      measures: ['VALUE'],
    });
    expect(communes.length).toBeGreaterThan(BOUND_SOURCES_MAX);
    expect(additiveStatement(communes, catalog, unitKeys(catalog), () => false).readsCatalog).toBe(false);
    expect(additiveStatement(communes, catalog, unitKeys(catalog), () => false, 'stored').readsCatalog).toBe(true);
  });

  it('tells when a STOCK span that a newer unit divides is walked', () => {
    const walked = (periods: string[], measures?: ('VALUE' | 'SAME_PERIOD')[]) =>
      answerReads(
        planAnswer(catalog, { indicators: ['SS_POOR_HH'], units: ['31'], periods, ...(measures ? { measures } : {}) }),
        catalog,
      )!.walked;
    // 2026 on the new units, and 2025 on the old ones (the new communes began on 2025-07-01).
    expect(walked(['2026'], ['VALUE'])).toBe(false);
    expect(walked(['2025S1'], ['VALUE'])).toBe(false);
    // The same period of 2026 is 2025, which the new units' walk splits at the reform.
    expect(walked(['2026'], ['VALUE', 'SAME_PERIOD'])).toBe(true);
    expect(walked(['2026'])).toBe(true);
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
    // A statement that bound its sources has no digest row.
    expect(additiveValues(catalog, [row], spans, undefined).kind).toBe('values');
    expect(() => additiveValues(catalog, [digest, { ...row, key: 9 }], spans, 'abc')).toThrow(
      'Expected a span key below 2, got 9',
    );
  });
});
