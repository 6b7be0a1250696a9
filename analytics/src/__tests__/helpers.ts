import { resolve } from 'node:path';
import { Identity } from '@lgr/kit';
import { UnitCatalog } from '@lgr/schema';
import { loadAdminUnits } from '../../../services/reference/src/data/admin-units';
import type { FeedChange } from '../store';

export const SECRET = 'analytics-test-secret-0123456789abcdef0123';

let cached: UnitCatalog | undefined;

/** The real administrative units (63 provinces, 696 districts, 10,035 + 3,321 communes, lineage). */
export function realCatalog(): UnitCatalog {
  if (!cached) {
    const { units, links } = loadAdminUnits(resolve(__dirname, '../../../services/reference/data/admin-units'));
    cached = new UnitCatalog(units, links);
  }
  return cached;
}

export const OLD = '2000-01-01';
export const NEW = '2025-07-01';
/** Unit version ids used in tests. */
export const U = {
  haiPhong: `31@${OLD}`,
  ngoQuyen: `304@${OLD}`,
  leChan: `305@${OLD}`,
  mayChai: `11329@${OLD}`,
  vanMy: `11335@${OLD}`,
  newNgoQuyenWard: `11329@${NEW}`,
} as const;

export function identity(role: Identity['role'], units: string[] = []): Identity {
  return { sub: `${role}-${units.join('-') || 'all'}`, role, units };
}

let seq = 0;

/** A feed change with the next sequence number of this test file. */
export function change(indicator: string, unitId: string, period: string, value: number | null, target: number | null = null): FeedChange {
  seq += 1;
  return { seq, indicator, unitId, period, value, target, updatedAt: '2025-07-15T08:00:00Z' };
}
