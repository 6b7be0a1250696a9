import DataLoader from 'dataloader';
import { EntityManager } from '@mikro-orm/core';
import { BaseContext, CatalogSource, currentCatalog, forbidden, Scope } from '@lgr/kit';
import { Domain, UnitCatalog } from '@lgr/schema';
import { findObservations, StoredObservation } from './store';

/**
 * Units per SQL statement when loading by unit. The same statement count whether a request asks for
 * 20 units or every commune of a province; only a request beyond this many units takes a second one.
 */
export const UNITS_PER_STATEMENT = 2000;

/**
 * Per-request DataLoaders. Every per-unit fetch of a request (figures, domain records) goes through
 * one loader per kind of fetch and filter, so asking for N units costs one statement, not N.
 */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown[]>>();

  constructor(private readonly em: EntityManager) {}

  /**
   * The rows of one kind (`name`, with `filter` as part of the key) that belong to `unitId`. All calls
   * with the same name and filter within one tick are answered by one `fetch` over all their units.
   */
  byUnit<T>(
    name: string,
    filter: unknown,
    unitId: string,
    fetch: (em: EntityManager, unitIds: readonly string[]) => Promise<T[]>,
    unitOf: (row: T) => string,
  ): Promise<T[]> {
    const key = `${name}:${JSON.stringify(filter ?? null)}`;
    let loader = this.loaders.get(key) as DataLoader<string, T[]> | undefined;
    if (!loader) {
      loader = new DataLoader<string, T[]>(
        async (unitIds) => {
          const byUnit = new Map<string, T[]>(unitIds.map((id) => [id, []]));
          for (let i = 0; i < unitIds.length; i += UNITS_PER_STATEMENT) {
            for (const row of await fetch(this.em, unitIds.slice(i, i + UNITS_PER_STATEMENT)))
              byUnit.get(unitOf(row))?.push(row);
          }
          return unitIds.map((id) => byUnit.get(id)!);
        },
        { maxBatchSize: 100_000 },
      );
      this.loaders.set(key, loader as DataLoader<string, unknown[]>);
    }
    return loader.load(unitId);
  }

  /** The figures recorded for a unit version, optionally for one period and some indicators. */
  figures(unitId: string, period?: string, indicators?: readonly string[]): Promise<StoredObservation[]> {
    const filter = { period, indicators: indicators ? [...new Set(indicators)].sort() : undefined };
    return this.byUnit(
      'figures',
      filter,
      unitId,
      (em, ids) => findObservations(em, ids, filter),
      (o) => o.unitId,
    );
  }
}

/** What every resolver of a domain subgraph can rely on. */
export interface DomainContext extends BaseContext {
  readonly domain: Domain;
  /** This request's own EntityManager (a fork). */
  readonly em: EntityManager;
  readonly loaders: RequestLoaders;
  /** The unit catalogue; throws SOURCE_UNAVAILABLE while no copy has been fetched yet. */
  catalog(): UnitCatalog;
  /** The units the caller may read and write. */
  scope(): Scope;
}

/** Builds the per-request context: a forked EntityManager, fresh DataLoaders, the caller's scope. */
export function createDomainContext(
  base: BaseContext,
  domain: Domain,
  em: EntityManager,
  catalogSource: CatalogSource,
): DomainContext {
  let scope: Scope | undefined;
  const forked = em.fork();
  const catalog = (): UnitCatalog => currentCatalog(catalogSource);
  return {
    ...base,
    domain,
    em: forked,
    loaders: new RequestLoaders(forked),
    catalog,
    scope: () => (scope ??= new Scope(base.identity, catalog())),
  };
}

/**
 * Answers a field about one unit only when the caller's scope includes it. Outside the scope the
 * field is null with a FORBIDDEN error whose message is the same whether or not anything exists there.
 */
export async function inScope<T>(ctx: DomainContext, unitId: string, load: () => Promise<T>): Promise<T> {
  if (!ctx.scope().includes(unitId)) throw forbidden('this unit');
  return load();
}
