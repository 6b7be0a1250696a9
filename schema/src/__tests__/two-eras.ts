import { UnitCatalog, UnitVersion } from '..';

/*
 * A small two-era hierarchy for the catalogue's and the evaluator's tests. Old: province P with districts D1 (communes
 * a, b) and D2 (communes c, d). New: province P with communes x (a whole, half of c) and y (b whole,
 * half of c, d whole).
 */
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

export const units: UnitVersion[] = [
  unit('P', 'PROVINCE', null, OLD),
  unit('D1', 'DISTRICT', 'P@2000-01-01', OLD),
  unit('D2', 'DISTRICT', 'P@2000-01-01', OLD),
  unit('a', 'COMMUNE', 'D1@2000-01-01', OLD),
  unit('b', 'COMMUNE', 'D1@2000-01-01', OLD),
  unit('c', 'COMMUNE', 'D2@2000-01-01', OLD),
  unit('d', 'COMMUNE', 'D2@2000-01-01', OLD),
  unit('P', 'PROVINCE', null, NEW),
  unit('x', 'COMMUNE', 'P@2025-07-01', NEW),
  unit('y', 'COMMUNE', 'P@2025-07-01', NEW),
];

export const links = [
  { fromId: 'a@2000-01-01', toId: 'x@2025-07-01', share: 1 },
  { fromId: 'c@2000-01-01', toId: 'x@2025-07-01', share: 0.5 },
  { fromId: 'b@2000-01-01', toId: 'y@2025-07-01', share: 1 },
  { fromId: 'c@2000-01-01', toId: 'y@2025-07-01', share: 0.5 },
  { fromId: 'd@2000-01-01', toId: 'y@2025-07-01', share: 1 },
];

export const catalog = new UnitCatalog(units, links);
