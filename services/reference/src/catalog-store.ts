import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { CatalogSnapshot, Logger } from '@lgr/kit';
import { Level, LineageLink, UnitCatalog, UnitVersion } from '@lgr/schema';
import { LineageLinkEntity, UnitVersionEntity } from './entities';
import { readMeta } from './load';

/** The stored catalogue as served: the snapshot, its JSON body and the catalogue built from it. */
export interface StoredCatalog {
  readonly digest: string;
  readonly catalog: UnitCatalog;
  /** The JSON of the {@link CatalogSnapshot}, serialised once per digest. */
  readonly body: string;
  /** The same JSON gzipped (about a tenth of the size), compressed on first use. */
  gzipped(): Promise<Buffer>;
}

const gzipAsync = promisify(gzip);

/** A unit version in exactly the shape (and key order) that `loadAdminUnits` produces. */
export function toUnitVersion(row: Pick<UnitVersionEntity, keyof UnitVersion>): UnitVersion {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    fullName: row.fullName,
    nameEn: row.nameEn,
    level: row.level as Level,
    kind: row.kind,
    parentId: row.parentId ?? null,
    validFrom: row.validFrom,
    validTo: row.validTo ?? null,
  };
}

/**
 * Rebuilds the unit catalogue from the database and keeps it until the stored digest changes. The
 * digest is the catalogue's own fingerprint of what was read back, which is what every consumer
 * recomputes from the snapshot, so `ETag`, `If-None-Match` and their copies always agree.
 */
export class CatalogStore {
  private cached?: { metaDigest: string; value: Promise<StoredCatalog> };

  constructor(
    private readonly orm: MikroORM,
    private readonly log: Logger,
  ) {}

  /** The catalogue that matches the store now (one small query when it is already cached). */
  async current(em: SqlEntityManager = this.orm.em.fork() as SqlEntityManager): Promise<StoredCatalog> {
    const meta = await readMeta(em);
    if (!meta) throw new Error('The reference store holds no administrative units; the service has not loaded them');
    if (this.cached?.metaDigest !== meta.digest) {
      const value = this.build(em, meta.digest);
      this.cached = { metaDigest: meta.digest, value };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = undefined;
      });
    }
    return this.cached.value;
  }

  private async build(em: SqlEntityManager, metaDigest: string): Promise<StoredCatalog> {
    const unitRows = (await em
      .createQueryBuilder(UnitVersionEntity)
      .select('*')
      .orderBy({ position: 'asc' })
      .execute('all')) as UnitVersionEntity[];
    const linkRows = (await em
      .createQueryBuilder(LineageLinkEntity)
      .select('*')
      .orderBy({ position: 'asc' })
      .execute('all')) as LineageLinkEntity[];
    const units = unitRows.map(toUnitVersion);
    // PostgreSQL's driver may hand doubles back as strings; the catalogue needs numbers.
    const links: LineageLink[] = linkRows.map((l) => ({ fromId: l.fromId, toId: l.toId, share: Number(l.share) }));
    const catalog = new UnitCatalog(units, links);
    const digest = catalog.digest();
    if (digest !== metaDigest) {
      this.log.warn(
        { stored: metaDigest, rebuilt: digest },
        'the catalogue read back from the store differs from the loaded files',
      );
    }
    const snapshot: CatalogSnapshot = { digest, units, links };
    const body = JSON.stringify(snapshot);
    let gzipped: Promise<Buffer> | undefined;
    return { digest, catalog, body, gzipped: () => (gzipped ??= gzipAsync(body)) };
  }
}
