import { monthOf, UnitCatalog, UnitVersion } from '@lgr/schema';
import { LAST_MONTH, leafWeights } from '../weights';

const OLD = { validFrom: '2000-01-01', validTo: '2025-06-30' };
const NEW = { validFrom: '2025-07-01', validTo: null };
const unit = (
  code: string,
  level: UnitVersion['level'],
  parentId: string | null,
  era: typeof OLD | typeof NEW,
): UnitVersion => ({
  id: `${code}@${era.validFrom}`,
  code,
  name: code,
  fullName: code,
  nameEn: code,
  level,
  kind: level.toLowerCase(),
  parentId,
  ...era,
});

// Old: P with districts D1 (communes a, b) and D2 (no communes). New: P with x (a, half of b) and y (half of b, D2).
const catalog = new UnitCatalog(
  [
    unit('P', 'PROVINCE', null, OLD),
    unit('D1', 'DISTRICT', 'P@2000-01-01', OLD),
    unit('D2', 'DISTRICT', 'P@2000-01-01', OLD),
    unit('a', 'COMMUNE', 'D1@2000-01-01', OLD),
    unit('b', 'COMMUNE', 'D1@2000-01-01', OLD),
    unit('P', 'PROVINCE', null, NEW),
    unit('x', 'COMMUNE', 'P@2025-07-01', NEW),
    unit('y', 'COMMUNE', 'P@2025-07-01', NEW),
  ],
  [
    { fromId: 'a@2000-01-01', toId: 'x@2025-07-01', share: 1 },
    { fromId: 'b@2000-01-01', toId: 'x@2025-07-01', share: 0.5 },
    { fromId: 'b@2000-01-01', toId: 'y@2025-07-01', share: 0.5 },
    { fromId: 'D2@2000-01-01', toId: 'y@2025-07-01', share: 1 },
  ],
);
const reform = monthOf('2025-07-01');

describe('leafWeights (DESIGN 3 rule 9)', () => {
  it('counts the leaves below a unit from the month it began', () => {
    // A district without communes is a leaf.
    expect(leafWeights(catalog, 'P@2000-01-01')).toEqual([
      { fromMonth: monthOf('2000-01-01'), toMonth: LAST_MONTH, leaves: 3 },
    ]);
    expect(leafWeights(catalog, 'D2@2000-01-01')).toEqual([
      { fromMonth: monthOf('2000-01-01'), toMonth: LAST_MONTH, leaves: 1 },
    ]);
  });

  it('weighs the months before a unit began by its predecessors and their shares', () => {
    expect(leafWeights(catalog, 'x@2025-07-01')).toEqual([
      { fromMonth: monthOf('2000-01-01'), toMonth: reform - 1, leaves: 1.5 },
      { fromMonth: reform, toMonth: LAST_MONTH, leaves: 1 },
    ]);
    // New P is old P (3 leaves) before the reform, and its 2 communes after; the shares of b sum to 1.
    expect(leafWeights(catalog, 'P@2025-07-01')).toEqual([
      { fromMonth: monthOf('2000-01-01'), toMonth: reform - 1, leaves: 3 },
      { fromMonth: reform, toMonth: LAST_MONTH, leaves: 2 },
    ]);
  });
});
