import { UnitCatalog, UnitDataError } from '..';
import { catalog, links, units } from './two-eras';

describe('UnitCatalog', () => {
  it('resolves a reused code by date', () => {
    expect(catalog.resolve('P', '2025-06-30')?.id).toBe('P@2000-01-01');
    expect(catalog.resolve('P', '2025-07-01')?.id).toBe('P@2025-07-01');
    expect(catalog.resolve('a', '2025-07-01')).toBeUndefined();
  });

  it('resolves a figure to the version valid at the end of its period, else the latest during it', () => {
    expect(catalog.resolveForSpan('P', { startMonth: 2025 * 12, endMonth: 2025 * 12 + 11 })?.id).toBe('P@2025-07-01');
    expect(catalog.resolveForSpan('D1', { startMonth: 2025 * 12, endMonth: 2025 * 12 + 11 })?.id).toBe('D1@2000-01-01');
  });

  it('builds rule 4 contributions: whole units as large as possible, split communes by share, partial districts flagged', () => {
    expect(catalog.contributions('x@2025-07-01')).toEqual({
      whole: ['a@2000-01-01'],
      shares: [{ id: 'c@2000-01-01', share: 0.5 }],
      partial: ['D1@2000-01-01', 'D2@2000-01-01', 'P@2000-01-01'],
    });
    expect(catalog.contributions('y@2025-07-01')).toEqual({
      whole: ['b@2000-01-01', 'd@2000-01-01'],
      shares: [{ id: 'c@2000-01-01', share: 0.5 }],
      partial: ['D1@2000-01-01', 'D2@2000-01-01', 'P@2000-01-01'],
    });
    expect(catalog.contributions('P@2025-07-01')).toEqual({ whole: ['P@2000-01-01'], shares: [], partial: [] });
  });

  it('lists predecessors and successors at the same level, with shares', () => {
    expect(catalog.predecessors('x@2025-07-01').map((p) => [p.unit.code, p.share])).toEqual([
      ['a', 1],
      ['c', 0.5],
    ]);
    expect(catalog.successors('c@2000-01-01').map((p) => [p.unit.code, p.share])).toEqual([
      ['x', 0.5],
      ['y', 0.5],
    ]);
    expect(catalog.successors('D2@2000-01-01').map((p) => [p.unit.code, p.share])).toEqual([
      ['x', 0.25],
      ['y', 0.75],
    ]);
    expect(catalog.predecessors('P@2025-07-01').map((p) => [p.unit.id, p.share])).toEqual([['P@2000-01-01', 1]]);
  });

  it('scopes a claim to the subtree of every version of the code, the older units wholly inside it and the units that took its territory', () => {
    // y took b, so a claim for D1 reaches y; d went wholly into y but was never D1's: only inside y's answers.
    expect([...catalog.scopeOf(['D1'])].sort()).toEqual([
      'D1@2000-01-01',
      'a@2000-01-01',
      'b@2000-01-01',
      'x@2025-07-01',
      'y@2025-07-01',
    ]);
    // y's own past is b and d, whole; c is split between x and y and stays outside both scopes.
    expect([...catalog.scopeOf(['y'])].sort()).toEqual(['b@2000-01-01', 'd@2000-01-01', 'y@2025-07-01']);
    expect([...catalog.scopeOf(['x'])].sort()).toEqual(['a@2000-01-01', 'x@2025-07-01']);
    expect(catalog.scopeOf(['nowhere']).size).toBe(0);
  });

  it('refuses lineage whose shares do not sum to 1', () => {
    expect(() => new UnitCatalog(units, links.slice(0, 2))).toThrow(UnitDataError);
    expect(() => new UnitCatalog(units, links.slice(0, 2))).toThrow('Shares of c@2000-01-01 sum to 0.5, expected 1');
  });
});
