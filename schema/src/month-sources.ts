import { monthOf } from './periods';
import { UnitCatalog } from './units';

/*
 * Rules 1-4 for a FLOW whose figures are all monthly: a unit's value over any span is then the sum
 * of its values for the span's months (splits in time only sum their parts), and its value for a
 * month is a sum of leaves' monthly figures, each times the share of its territory that lies in the
 * unit. Which leaves, and with which shares, depends on the catalogue alone: before the unit existed
 * its predecessors' (rule 4), after it its children's down to the leaves (rule 3). So the value is
 * one weighted sum over recorded months, which is what `monthSources` lists, with the places where a
 * figure would make the sum wrong: a unit's own figure for a month it is summed for (rule 1 over
 * rule 3 or rule 4), or a partial predecessor's figure, which rule 4 loses.
 */

/**
 * What a figure of `unitId` for a month in a source's span does to the asking unit's value:
 * - `READ`: it is counted, times `share` (a leaf in the months it is summed for);
 * - `OWN`: it would be the unit's own figure where the sum does not count one (a unit with children,
 *   or any unit before it existed), so the value is not a plain sum;
 * - `LOST`: it is a partial predecessor's figure, which rule 4 does not count and which makes the
 *   value incomplete.
 */
export type MonthSourceKind = 'READ' | 'OWN' | 'LOST';

/** A unit whose figures for the months `fromMonth`..`toMonth` make (or would change) another unit's value. */
export interface MonthSource {
  readonly unitId: string;
  readonly fromMonth: number;
  readonly toMonth: number;
  readonly share: number;
  readonly kind: MonthSourceKind;
}

/** The month indexes standing for "since always" and "for ever" in a source's span. */
export const FIRST_MONTH_INDEX = 0;
export const LAST_MONTH_INDEX = 2_147_483_647;

const memos = new WeakMap<UnitCatalog, Map<string, readonly MonthSource[]>>();

/**
 * The sources of `unitId`'s monthly values (see {@link MonthSourceKind}), over all time. For a FLOW
 * whose figures inside a span are all months, recorded only where a source is `READ`, the unit's
 * value over the span is the sum of those figures times their shares (null when there is none), its
 * expected rule-9 weight the sum of the `READ` sources' shares times their months in the span, its
 * reported weight the shares of the months recorded, and it is complete only without a figure at a
 * `LOST` source. Kept per catalogue.
 */
export function monthSources(catalog: UnitCatalog, unitId: string): readonly MonthSource[] {
  let memo = memos.get(catalog);
  if (!memo) memos.set(catalog, (memo = new Map()));
  return sourcesOf(catalog, unitId, memo);
}

function sourcesOf(
  catalog: UnitCatalog,
  unitId: string,
  memo: Map<string, readonly MonthSource[]>,
): readonly MonthSource[] {
  const known = memo.get(unitId);
  if (known) return known;
  const unit = catalog.get(unitId);
  if (!unit) throw new RangeError(`Expected a unit version of the catalogue, got "${unitId}"`);
  // A month belongs to the unit of its last day: the months before this one ended before it existed.
  const first = monthOf(unit.validFrom);
  const out: MonthSource[] = [];
  const add = (from: readonly MonthSource[], lo: number, hi: number, share: number) => {
    for (const s of from) {
      const fromMonth = Math.max(s.fromMonth, lo);
      const toMonth = Math.min(s.toMonth, hi);
      if (fromMonth <= toMonth) out.push({ ...s, fromMonth, toMonth, share: s.share * share });
    }
  };
  if (first > FIRST_MONTH_INDEX) {
    const before = first - 1;
    // Rule 1 comes first even before the unit existed; rule 4 then takes the units of that time.
    out.push({ unitId, fromMonth: FIRST_MONTH_INDEX, toMonth: before, share: 1, kind: 'OWN' });
    const c = catalog.contributions(unitId);
    for (const id of c.whole) add(sourcesOf(catalog, id, memo), FIRST_MONTH_INDEX, before, 1);
    for (const s of c.shares) add(sourcesOf(catalog, s.id, memo), FIRST_MONTH_INDEX, before, s.share);
    for (const id of c.partial)
      out.push({ unitId: id, fromMonth: FIRST_MONTH_INDEX, toMonth: before, share: 1, kind: 'LOST' });
  }
  const children = catalog.children(unitId);
  if (!children.length) {
    out.push({ unitId, fromMonth: first, toMonth: LAST_MONTH_INDEX, share: 1, kind: 'READ' });
  } else {
    out.push({ unitId, fromMonth: first, toMonth: LAST_MONTH_INDEX, share: 1, kind: 'OWN' });
    for (const child of children) add(sourcesOf(catalog, child.id, memo), first, LAST_MONTH_INDEX, 1);
  }
  memo.set(unitId, out);
  return out;
}
