import type { QueryBuilder, SqlEntityManager } from '@mikro-orm/knex';
import DataLoader from 'dataloader';
import { Level, UnitVersion } from '@lgr/schema';
import { toUnitVersion } from './catalog-store';
import { UnitVersionEntity } from './entities';

/** A unit version as the resolvers see it, with its place in the loaded data (for cursors). */
export type UnitRecord = UnitVersion & { readonly position: number };

/**
 * Most ids bound in one statement. The gateway may send thousands of references in one request;
 * PostgreSQL accepts 65,535 bound parameters per statement and SQLite 32,766, so this keeps a batch in
 * one statement in every realistic case without ever hitting either limit.
 */
const IDS_PER_STATEMENT = 10_000;

function toRecord(row: UnitVersionEntity): UnitRecord {
  return { ...toUnitVersion(row), position: Number(row.position) };
}

async function selectUnits(em: SqlEntityManager, where: object): Promise<UnitRecord[]> {
  const rows = (await em
    .createQueryBuilder(UnitVersionEntity)
    .select('*')
    .where(where)
    .orderBy({ position: 'asc' })
    .execute('all')) as UnitVersionEntity[];
  return rows.map(toRecord);
}

async function inChunks<T>(keys: readonly string[], run: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += IDS_PER_STATEMENT)
    out.push(...(await run(keys.slice(i, i + IDS_PER_STATEMENT))));
  return out;
}

/** Per-request loaders; each batch becomes one statement and answers one result per key, in key order. */
export interface UnitLoaders {
  readonly unitById: DataLoader<string, UnitRecord | null>;
  /** Every child version of a unit version, in data order. */
  readonly childrenOf: DataLoader<string, UnitRecord[]>;
}

export function createUnitLoaders(em: SqlEntityManager): UnitLoaders {
  return {
    unitById: new DataLoader(async (ids) => {
      const rows = await inChunks(ids, (chunk) => selectUnits(em, { id: { $in: chunk } }));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    childrenOf: new DataLoader(async (parentIds) => {
      const rows = await inChunks(parentIds, (chunk) => selectUnits(em, { parentId: { $in: chunk } }));
      const byParent = new Map<string, UnitRecord[]>();
      for (const r of rows) {
        const list = byParent.get(r.parentId!);
        if (list) list.push(r);
        else byParent.set(r.parentId!, [r]);
      }
      return parentIds.map((id) => byParent.get(id) ?? []);
    }),
  };
}

/** Every version that ever carried `code`, oldest first. */
export async function versionsOfCode(em: SqlEntityManager, code: string): Promise<UnitRecord[]> {
  const rows = await selectUnits(em, { code });
  return rows.sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));
}

/** Conditions of a validity check on `date`, for the query builder. */
export function validOn(date: string): object {
  return { validFrom: { $lte: date }, $or: [{ validTo: null }, { validTo: { $gte: date } }] };
}

export interface UnitListFilter {
  readonly asOf: string;
  readonly level?: Level | undefined;
  /** Only units inside this unit version: its children, or with `level` its descendants at that level. */
  readonly insideId?: string | undefined;
  /** A folded search phrase (see `searchKey`). */
  readonly search?: string | undefined;
  /** Only units after this position (the cursor). */
  readonly afterPosition?: number | undefined;
  readonly limit: number;
}

/** One page of units and the number of units matching the filter over all pages (two statements). */
export async function listUnits(
  em: SqlEntityManager,
  filter: UnitListFilter,
): Promise<{ rows: UnitRecord[]; total: number }> {
  const where = <Q extends QueryBuilder<UnitVersionEntity, 'u'>>(qb: Q): Q => {
    qb.where(validOn(filter.asOf));
    if (filter.level) qb.andWhere({ level: filter.level });
    if (filter.insideId !== undefined) {
      if (filter.level) {
        // Units are at most two levels below a province (province, district, commune), so "inside"
        // is the children and the grandchildren.
        qb.andWhere({
          $or: [
            { parentId: filter.insideId },
            {
              parentId: {
                $in: em
                  .createQueryBuilder(UnitVersionEntity, 'p')
                  .select('p.id')
                  .where({ parentId: filter.insideId })
                  .getKnexQuery(),
              },
            },
          ],
        });
      } else {
        qb.andWhere({ parentId: filter.insideId });
      }
    }
    if (filter.search) qb.andWhere({ searchKey: { $like: `%${filter.search}%` } });
    return qb;
  };
  const pageQb = where(em.createQueryBuilder(UnitVersionEntity, 'u').select('*'));
  if (filter.afterPosition !== undefined) pageQb.andWhere({ position: { $gt: filter.afterPosition } });
  const rows = (await pageQb.orderBy({ position: 'asc' }).limit(filter.limit).execute('all')) as UnitVersionEntity[];
  const total = await where(em.createQueryBuilder(UnitVersionEntity, 'u')).getCount();
  return { rows: rows.map(toRecord), total };
}
