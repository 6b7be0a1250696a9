import { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { BaseContext } from '@lgr/kit';
import { UnitCatalog } from '@lgr/schema';
import { CatalogStore } from './catalog-store';
import { createUnitLoaders, UnitLoaders } from './units';

/** What the reference resolvers get per request. */
export interface ReferenceContext extends BaseContext {
  /** This request's own EntityManager. */
  readonly em: SqlEntityManager;
  readonly loaders: UnitLoaders;
  /** The stored unit catalogue (lineage semantics); read at most once per request. */
  catalog(): Promise<UnitCatalog>;
}

export function createReferenceContext(base: BaseContext, orm: MikroORM, store: CatalogStore): ReferenceContext {
  const em = orm.em.fork() as SqlEntityManager;
  let catalog: Promise<UnitCatalog> | undefined;
  return {
    ...base,
    em,
    loaders: createUnitLoaders(em),
    catalog: () => (catalog ??= store.current(em).then((s) => s.catalog)),
  };
}
