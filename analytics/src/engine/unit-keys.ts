import { monthOf, UnitCatalog } from '@lgr/schema';
import { firstWholeMonth, unitStages } from '../store/rows';

/** What the engine's SQL knows of a unit version, as the store's unit table holds it. */
export interface UnitKey {
  /** `unit_version.uid`: the unit's position in the catalogue (`catalogRows`). */
  readonly uid: number;
  readonly stage: number;
  readonly validFromMonth: number;
  readonly firstWholeMonth: number;
  /** The unit has children in the catalogue: only such a unit can be another's ancestor. */
  readonly parent: boolean;
}

/*
 * The units' keys change only with the catalogue, so they are computed once per catalogue (a
 * generation of the unit data) and kept with it, instead of being joined from the store's unit table
 * by every query. A store holds the same keys exactly when it holds a catalogue of the same digest,
 * which every query checks in its transaction.
 */
const cache = new WeakMap<UnitCatalog, ReadonlyMap<string, UnitKey>>();

/** Every unit version's key in a catalogue, by version id, computed once per catalogue. */
export function unitKeys(catalog: UnitCatalog): ReadonlyMap<string, UnitKey> {
  let keys = cache.get(catalog);
  if (!keys) {
    const stages = unitStages(catalog);
    keys = new Map(
      catalog.units.map((u, uid) => [
        u.id,
        {
          uid,
          stage: stages.get(u.id)!,
          validFromMonth: monthOf(u.validFrom),
          firstWholeMonth: firstWholeMonth(u.validFrom),
          parent: !catalog.isLeaf(u.id),
        },
      ]),
    );
    cache.set(catalog, keys);
  }
  return keys;
}
