import {
  Figure,
  findIndicator,
  FIRST_MONTH_INDEX,
  LAST_MONTH_INDEX,
  monthOf,
  monthSources,
  parsePeriod,
  ReferenceEvaluator,
} from '..';
import { catalog } from './two-eras';

const REFORM = monthOf('2025-07-01');

describe('monthSources', () => {
  it('lists a new leaf as its own figures, and before it existed its predecessors times their shares', () => {
    const sources = monthSources(catalog, 'x@2025-07-01').map((s) => [
      s.unitId,
      s.fromMonth,
      s.toMonth,
      s.share,
      s.kind,
    ]);
    expect(sources).toEqual([
      ['x@2025-07-01', FIRST_MONTH_INDEX, REFORM - 1, 1, 'OWN'],
      // A figure recorded before a unit existed would be its own (rule 1 comes first).
      ['a@2000-01-01', FIRST_MONTH_INDEX, monthOf('2000-01-01') - 1, 1, 'OWN'],
      ['a@2000-01-01', monthOf('2000-01-01'), REFORM - 1, 1, 'READ'],
      ['c@2000-01-01', FIRST_MONTH_INDEX, monthOf('2000-01-01') - 1, 0.5, 'OWN'],
      ['c@2000-01-01', monthOf('2000-01-01'), REFORM - 1, 0.5, 'READ'],
      // The old units that lie only partly in x: their own figures are lost.
      ['D1@2000-01-01', FIRST_MONTH_INDEX, REFORM - 1, 1, 'LOST'],
      ['D2@2000-01-01', FIRST_MONTH_INDEX, REFORM - 1, 1, 'LOST'],
      ['P@2000-01-01', FIRST_MONTH_INDEX, REFORM - 1, 1, 'LOST'],
      ['x@2025-07-01', REFORM, LAST_MONTH_INDEX, 1, 'READ'],
    ]);
  });

  it('marks a province as its own figure over its children, and a partial predecessor as lost', () => {
    const byKind = (id: string, kind: string) =>
      monthSources(catalog, id)
        .filter((s) => s.kind === kind && s.toMonth >= monthOf('2000-01-01'))
        .map((s) => s.unitId)
        .sort();
    expect(byKind('P@2025-07-01', 'OWN')).toEqual([
      'D1@2000-01-01',
      'D2@2000-01-01',
      'P@2000-01-01',
      'P@2025-07-01',
      'P@2025-07-01',
    ]);
    expect(byKind('P@2025-07-01', 'READ')).toEqual([
      'a@2000-01-01',
      'b@2000-01-01',
      'c@2000-01-01',
      'd@2000-01-01',
      'x@2025-07-01',
      'y@2025-07-01',
    ]);
    // Old D1, D2 and P lie partly in y: their communes count (by their shares), their own figures are lost.
    expect(byKind('y@2025-07-01', 'LOST')).toEqual(['D1@2000-01-01', 'D2@2000-01-01', 'P@2000-01-01']);
  });

  it("gives the evaluator's value and weight for a FLOW whose figures are leaves' months", () => {
    const flow = findIndicator('PB_NEW_MEMBERS')!;
    const leaves = ['a', 'b', 'c', 'd'].map((c) => `${c}@2000-01-01`);
    const figures: Figure[] = [];
    let n = 0;
    for (let m = monthOf('2024-01-01'); m <= monthOf('2025-12-01'); m++) {
      const ids = m < REFORM ? leaves : ['x@2025-07-01', 'y@2025-07-01'];
      // Every fifth figure is missing, so that coverage is below 1.
      for (const id of ids) if (++n % 5) figures.push(figure(id, m, n));
    }
    const evaluator = new ReferenceEvaluator(catalog, figures);
    const fact = new Map(figures.map((f) => [`${f.unitId}|${parsePeriod(f.period).startMonth}`, f.value!]));
    for (const id of ['P@2025-07-01', 'x@2025-07-01', 'y@2025-07-01', 'P@2000-01-01', 'D2@2000-01-01']) {
      for (const code of ['2025', '2024', '2025S1', '2025Q3', '202411', '2025-2030', '2020-2025']) {
        const span = parsePeriod(code);
        let value: number | null = null;
        let expected = 0;
        let reported = 0;
        for (const s of monthSources(catalog, id)) {
          if (s.kind !== 'READ') continue;
          for (let m = Math.max(s.fromMonth, span.startMonth); m <= Math.min(s.toMonth, span.endMonth); m++) {
            expected += s.share;
            const v = fact.get(`${s.unitId}|${m}`);
            if (v === undefined) continue;
            value = (value ?? 0) + v * s.share;
            reported += s.share;
          }
        }
        const want = evaluator.valueOverSpan(flow, id, span);
        expect([id, code, value, expected, reported]).toEqual([
          id,
          code,
          want.value === null ? null : expect.closeTo(want.value, 9),
          expect.closeTo(want.expected, 9),
          expect.closeTo(want.reported, 9),
        ]);
      }
    }
  });
});

function figure(unitId: string, month: number, n: number): Figure {
  const period = `${Math.floor(month / 12)}${String((month % 12) + 1).padStart(2, '0')}`;
  return { indicator: 'PB_NEW_MEMBERS', unitId, period, value: n % 7, target: null };
}
