import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { isPostgres, Logger } from '@lgr/kit';
import { UnitCatalog } from '@lgr/schema';
import { loadAdminUnits } from './data/admin-units';
import { ADMIN_UNITS_META, LineageLinkEntity, ReferenceMetaEntity, UnitVersionEntity } from './entities';
import { unitSearchKey } from './search';

/** What a start did with the administrative-unit files. */
export interface LoadResult {
  /** `loaded` when the store was (re)filled, `unchanged` when it already held these files' data. */
  readonly status: 'loaded' | 'unchanged';
  /** The catalogue digest of the files (and now of the store). */
  readonly digest: string;
  readonly units: number;
  readonly links: number;
  /** Mapping rows left out because their old commune is not in the pre-reform list (SOURCES.md). */
  readonly skipped: number;
  /** Time spent reading and validating the files. */
  readonly readMs: number;
  /** Time spent in the database (the check, and the load transaction when there was one). */
  readonly storeMs: number;
}

/**
 * Rows per INSERT statement. Both limits on bound parameters matter: PostgreSQL takes at most 65,535
 * per statement and SQLite 32,766, so a batch of units (12 columns) stays well under both.
 */
const UNIT_BATCH = 1000;
const LINK_BATCH = 4000;

/** Any fixed number works: it only has to be the same in every replica that might load at once. */
const LOAD_LOCK_KEY = 4_001_2025;

export async function readMeta(em: SqlEntityManager): Promise<ReferenceMetaEntity | undefined> {
  const row = await em
    .createQueryBuilder(ReferenceMetaEntity)
    .select('*')
    .where({ name: ADMIN_UNITS_META })
    .execute('get');
  return (row as ReferenceMetaEntity | undefined) ?? undefined;
}

/**
 * Brings the store in line with the files in `unitsDir`. The files are read and validated through
 * {@link UnitCatalog} first; when the stored digest already matches, nothing is written. Otherwise
 * every unit and link is replaced in one transaction, so readers see either the old data or the new,
 * never a mixture, and a failed load leaves the old data in place.
 */
export async function loadReferenceData(orm: MikroORM, unitsDir: string, log: Logger): Promise<LoadResult> {
  const t0 = performance.now();
  const data = loadAdminUnits(unitsDir);
  const catalog = new UnitCatalog(data.units, data.links);
  const digest = catalog.digest();
  const readMs = Math.round(performance.now() - t0);
  const base = { digest, units: data.units.length, links: data.links.length, skipped: data.skipped.length, readMs };

  const t1 = performance.now();
  const em = orm.em.fork() as SqlEntityManager;
  if ((await readMeta(em))?.digest === digest) {
    return { status: 'unchanged', ...base, storeMs: Math.round(performance.now() - t1) };
  }

  const loaded = await em.transactional(async (tx) => {
    if (isPostgres(orm)) {
      // Replicas starting together must not interleave their loads; the second one waits here and then
      // finds the data already current.
      await tx.execute('select pg_advisory_xact_lock(?)', [LOAD_LOCK_KEY]);
    }
    if ((await readMeta(tx))?.digest === digest) return false;
    await tx.nativeDelete(LineageLinkEntity, {});
    await tx.nativeDelete(UnitVersionEntity, {});
    await tx.nativeDelete(ReferenceMetaEntity, {});
    const units = data.units.map((u, position) => ({
      id: u.id,
      position,
      code: u.code,
      name: u.name,
      fullName: u.fullName,
      nameEn: u.nameEn,
      searchKey: unitSearchKey(u),
      level: u.level,
      kind: u.kind,
      parentId: u.parentId,
      validFrom: u.validFrom,
      validTo: u.validTo,
    }));
    for (let i = 0; i < units.length; i += UNIT_BATCH) {
      await tx.insertMany(UnitVersionEntity, units.slice(i, i + UNIT_BATCH));
    }
    const links = data.links.map((l, position) => ({ position, fromId: l.fromId, toId: l.toId, share: l.share }));
    for (let i = 0; i < links.length; i += LINK_BATCH) {
      await tx.insertMany(LineageLinkEntity, links.slice(i, i + LINK_BATCH));
    }
    await tx.insertMany(ReferenceMetaEntity, [
      {
        name: ADMIN_UNITS_META,
        digest,
        loadedAt: new Date().toISOString(),
        units: units.length,
        links: links.length,
        loadMs: Math.round(performance.now() - t1),
      },
    ]);
    return true;
  });
  const storeMs = Math.round(performance.now() - t1);
  if (loaded) log.info({ ...base, storeMs }, 'administrative units loaded');
  return { status: loaded ? 'loaded' : 'unchanged', ...base, storeMs };
}
