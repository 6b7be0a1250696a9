import { realCatalog } from './helpers';
import { figuresOf, IN_MEMORY_MAX_ROWS, inMemoryEligible, inMemoryFactsStatement } from '../in-memory';
import { planAggregate } from '../plan';

describe('the in-memory path', () => {
  const plan = (request: Parameters<typeof planAggregate>[1]) => planAggregate(realCatalog(), request, {});

  it('binds every code, unit and month of the facts it reads', () => {
    const p = plan({ indicators: ['PB_NEW_MEMBERS', 'SS_POOR_RATE'], units: ['304'], periods: ['2024'] });
    const s = inMemoryFactsStatement(p, 100);
    for (const code of ['PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_HOUSEHOLDS', 'SS_POOR_RATE', '2024', '304'])
      expect(s.sql).not.toContain(code);
    expect(s.params).toContain('SS_POOR_HH');
    expect(s.params).toContain(101);
    expect(s.types).toHaveLength(s.params.length);
    expect(inMemoryFactsStatement(p).sql).not.toContain('LIMIT');
  });

  it('reads the text of the facts back as figures, nulls included', () => {
    const text = [
      'PB_NEW_MEMBERS\u001f304@2000-01-01\u001f2024\u001f12.5\u001f',
      'X\u001fU\u001f2024S1\u001f\u001f1e+21',
    ].join('\u001e');
    expect(figuresOf({ n: 2, facts: text })).toEqual([
      { indicator: 'PB_NEW_MEMBERS', unitId: '304@2000-01-01', period: '2024', value: 12.5, target: null },
      { indicator: 'X', unitId: 'U', period: '2024S1', value: null, target: 1e21 },
    ]);
    expect(figuresOf({ n: 0, facts: '' })).toEqual([]);
  });

  it('refuses a text that does not hold what it should, naming what arrived', () => {
    expect(() => figuresOf({ n: 1, facts: 'A\u001fB\u001fC\u001f1' })).toThrow(
      'Expected a fact as 5 fields (indicator, unit, period, value, target), got "A\u001fB\u001fC\u001f1"',
    );
    expect(() => figuresOf({ n: 3, facts: 'A\u001fB\u001fC\u001f1\u001f' })).toThrow('Expected 3 facts, got 1');
  });

  it('leaves large questions to the programme unless told', () => {
    const small = plan({ indicators: ['PB_NEW_MEMBERS'], units: ['304'], periods: ['2024'] });
    expect(inMemoryEligible(small, 'auto')).toBe(true);
    expect(inMemoryEligible(small, 'sql')).toBe(false);
    const wide = plan({
      indicators: ['PB_NEW_MEMBERS'],
      units: ['31'],
      from: '202001',
      to: '202512',
      grain: 'MONTH',
      level: 'COMMUNE',
    });
    expect(wide.rows.length).toBeGreaterThan(IN_MEMORY_MAX_ROWS);
    expect(inMemoryEligible(wide, 'auto')).toBe(false);
    expect(inMemoryEligible(wide, 'memory')).toBe(true);
  });
});
