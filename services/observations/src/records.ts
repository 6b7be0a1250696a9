import { EntityClass, EntityManager, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import type { DomainContext } from './context';
import { inScope } from './context';

/**
 * A domain's records of one unit version (Party organisations, budget estimates, ...), scope-checked
 * and fetched through the request's DataLoader: all units asked for in one request with the same
 * filter cost one statement.
 */
export function loadUnitRecords<T extends { unitId: string }>(
  ctx: DomainContext,
  entity: EntityClass<T>,
  unitId: string,
  where: Record<string, unknown> = {},
  orderBy: QueryOrderMap<T> = {},
): Promise<T[]> {
  return inScope(ctx, unitId, () =>
    ctx.loaders.byUnit(
      `records:${entity.name}`,
      { where, orderBy },
      unitId,
      (em, unitIds) =>
        em.find(entity, { ...where, unitId: { $in: [...unitIds] } } as FilterQuery<T>, {
          orderBy,
          disableIdentityMap: true,
        }),
      (row) => row.unitId,
    ),
  );
}

/** Rows per upsert statement when seeding records. */
const RECORD_BATCH = 500;

/**
 * Inserts or updates records on their natural key (idempotent: loading the same records again changes
 * nothing). Returns how many records were given.
 */
export async function upsertRecords<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  rows: readonly Partial<T>[],
  key: readonly (keyof T & string)[],
): Promise<number> {
  for (let i = 0; i < rows.length; i += RECORD_BATCH) {
    await em.upsertMany(entity, rows.slice(i, i + RECORD_BATCH) as T[], {
      onConflictFields: key as never,
      onConflictAction: 'merge',
      batchSize: RECORD_BATCH,
    });
  }
  em.clear();
  return rows.length;
}
