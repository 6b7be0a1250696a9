import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';
import type { Identity } from './identity';
import { isAdminLike, isPublic } from './roles';

const cache = new WeakMap<UnitCatalog, Map<string, ReadonlySet<string>>>();

/**
 * The unit versions an identity may read and write: admins and services all, a public caller none,
 * everyone else the subtrees of the codes in their `units` claim and the newer units that took over
 * that territory.
 */
export class Scope {
  private readonly ids: ReadonlySet<string> | 'all';

  constructor(
    readonly identity: Identity,
    catalog: UnitCatalog,
  ) {
    if (isAdminLike(identity)) {
      this.ids = 'all';
      return;
    }
    // A public caller may read no unit's recorded figures or records, whatever its units claim says:
    // published indicators are answered for every unit by analytics, which checks the indicators.
    if (isPublic(identity)) {
      this.ids = new Set();
      return;
    }
    let byClaim = cache.get(catalog);
    if (!byClaim) cache.set(catalog, (byClaim = new Map()));
    const key = [...identity.units].sort().join(',');
    let ids = byClaim.get(key);
    if (!ids) {
      ids = catalog.scopeOf(identity.units);
      if (byClaim.size > 1000) byClaim.clear();
      byClaim.set(key, ids);
    }
    this.ids = ids;
  }

  get unrestricted(): boolean {
    return this.ids === 'all';
  }

  includes(unitId: string): boolean {
    return this.ids === 'all' || this.ids.has(unitId);
  }

  /** The allowed unit ids, or undefined when every unit is allowed. */
  unitIds(): ReadonlySet<string> | undefined {
    return this.ids === 'all' ? undefined : this.ids;
  }

  /**
   * Refuses a unit outside the scope. The message is the same whether or not the unit exists, so a
   * denial never tells the caller what lies outside their scope.
   */
  assertIncludes(unitId: string, what = 'this unit'): void {
    if (!this.includes(unitId)) throw forbidden(what);
  }
}

export function forbidden(what = 'this unit'): Error {
  return clientError(ErrorCode.FORBIDDEN, `You are not allowed to access ${what}`);
}
