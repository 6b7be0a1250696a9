import { Figure, findIndicator, Indicator, parsePeriod, ReferenceEvaluator } from '..';
import { catalog } from './two-eras';

const FLOW = findIndicator('PB_NEW_MEMBERS')!;
const STOCK = findIndicator('SS_POOR_HH')!;
const TERM_FLOW = findIndicator('PB_THEMATIC_RESOLUTIONS')!;
const fig = (
  indicator: Indicator,
  unitId: string,
  period: string,
  value: number | null,
  target: number | null = null,
): Figure => ({
  indicator: indicator.code,
  unitId,
  period,
  value,
  target,
});
const row = (figures: Figure[], indicator: Indicator, unitId: string, period: string) =>
  new ReferenceEvaluator(catalog, figures).row(indicator, unitId, parsePeriod(period));

describe('ReferenceEvaluator coverage (DESIGN 3 rule 9)', () => {
  it('counts the leaves that reported: 1 of 4 communes gives a quarter and an incomplete row', () => {
    const r = row([fig(FLOW, 'a@2000-01-01', '2024S1', 5)], FLOW, 'P@2000-01-01', '2024S1');
    expect(r.value).toBe(5);
    expect(r.coverage.value).toBeCloseTo(0.25);
    expect(r.complete).toBe(false);
  });

  it('counts months: 10 of 12 months of a commune give 10/12', () => {
    const months = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((m) =>
      fig(FLOW, 'a@2000-01-01', `2024${m}`, 1),
    );
    const r = row(months, FLOW, 'a@2000-01-01', '2024');
    expect(r.value).toBe(10);
    expect(r.coverage.value).toBeCloseTo(10 / 12);
    expect(r.complete).toBe(false);
  });

  it("takes a district's own figure as covering all its communes", () => {
    const r = row(
      [fig(FLOW, 'D1@2000-01-01', '2024', 9), fig(FLOW, 'c@2000-01-01', '2024', 1)],
      FLOW,
      'P@2000-01-01',
      '2024',
    );
    expect(r.value).toBe(10);
    expect(r.coverage.value).toBeCloseTo(3 / 4);
    const own = row([fig(FLOW, 'D1@2000-01-01', '2024', 9)], FLOW, 'D1@2000-01-01', '2024');
    expect(own.coverage.value).toBe(1);
    expect(own.complete).toBe(true);
  });

  it('weighs rule-4 contributions by their shares', () => {
    // x for 2024 on 2025-07-01 boundaries = a + c/2: c alone reported, so 0.5 of 1.5 leaves.
    const r = row([fig(FLOW, 'c@2000-01-01', '2024', 4)], FLOW, 'x@2025-07-01', '2024');
    expect(r.value).toBe(2);
    expect(r.coverage.value).toBeCloseTo(0.5 / 1.5);
  });

  it('counts a STOCK once, at the part whose value it took', () => {
    const figures = [
      fig(STOCK, 'a@2000-01-01', '2024S1', 3),
      fig(STOCK, 'b@2000-01-01', '2024S1', 4),
      fig(STOCK, 'P@2000-01-01', '2023', 7),
    ];
    const r = row(figures, STOCK, 'P@2000-01-01', '2024');
    // P recorded nothing inside 2024: the sum of its districts, each its latest half-year.
    expect(r.value).toBe(7);
    expect(r.coverage.value).toBeCloseTo(2 / 4);
    expect(r.coverage.samePeriod).toBe(1);
  });

  it('gives a target its coverage and says whether it is met by direction', () => {
    const figures = [fig(STOCK, 'a@2000-01-01', '2024', 0, 140), fig(STOCK, 'b@2000-01-01', '2024', 2, 1)];
    const a = row(figures, STOCK, 'a@2000-01-01', '2024');
    expect(a.targetMet).toBe(true); // 0 near-poor households against a ceiling of 140
    const d1 = row(figures, STOCK, 'D1@2000-01-01', '2024');
    expect(d1.target).toBe(141);
    expect(d1.coverage.target).toBe(1);
    const p = row(figures, STOCK, 'P@2000-01-01', '2024');
    expect(p.coverage.target).toBeCloseTo(0.5);
    const flow = row(
      [fig(FLOW, 'a@2000-01-01', '2024S1', 3), fig(FLOW, 'a@2000-01-01', '2024', null, 2)],
      FLOW,
      'a@2000-01-01',
      '2024S1',
    );
    expect(flow.targetMet).toBe(true);
  });
});

describe('ReferenceEvaluator terms ("Terms, in detail")', () => {
  it('values the same period of a STOCK term by the same rules as the term', () => {
    // Communes report; the district's own latest half-year must not stand for all of it.
    const figures = [
      fig(STOCK, 'a@2000-01-01', '2023S2', 10),
      fig(STOCK, 'b@2000-01-01', '2022', 20),
      fig(STOCK, 'a@2000-01-01', '2024S2', 11),
      fig(STOCK, 'b@2000-01-01', '2023', 21),
    ];
    const e = new ReferenceEvaluator(catalog, figures);
    const term = e.row(STOCK, 'D1@2000-01-01', parsePeriod('2020-2025'));
    // 2020-2025: each commune's latest: a 11 (2024S2), b 21 (2023).
    expect(term.value).toBe(32);
    // 2019S2..2024S1: a 10 (2023S2), b 21 (2023).
    expect(term.samePeriodValue).toBe(31);
  });

  it("uses the term's own figure for the year to date of a period that ends the term", () => {
    const figures = [fig(TERM_FLOW, 'a@2000-01-01', '2020-2025', 12, 10), fig(TERM_FLOW, 'a@2000-01-01', '2025S1', 1)];
    const e = new ReferenceEvaluator(catalog, figures);
    for (const p of ['2025S1', '2025Q2', '202506']) {
      const r = e.row(TERM_FLOW, 'a@2000-01-01', parsePeriod(p));
      expect(r.achievementPct).toBeCloseTo(120);
      expect(r.coverage.yearToDate).toBe(1);
    }
  });
});
