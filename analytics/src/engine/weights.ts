import { monthOf, UnitCatalog } from '@lgr/schema';

/**
 * DESIGN 3 rule 9's weights, per unit and month: the leaves a unit stands for in a month. From the
 * month its version began it is the sum of its children's (1 for a leaf); before that, its rule-4
 * predecessors' times their shares. What a node (unit, period) expects is then, for a FLOW, the sum
 * over the period's months (leaf-months) and, for a STOCK, the weight of its last month, whatever was
 * recorded: coverage is computed in SQL from these segments and the reported weights of the nodes.
 */
export interface WeightSegment {
  /** First and last month of the segment, both inclusive. */
  readonly fromMonth: number;
  readonly toMonth: number;
  readonly leaves: number;
}

/** Months before and after any period a query can ask about. */
export const FIRST_MONTH = 0;
export const LAST_MONTH = 10_000 * 12;

const cache = new WeakMap<UnitCatalog, Map<string, readonly WeightSegment[]>>();

/** The weight of a unit by month, as segments of equal weight in month order (zero weight left out). */
export function leafWeights(catalog: UnitCatalog, id: string): readonly WeightSegment[] {
  let byId = cache.get(catalog);
  if (!byId) cache.set(catalog, (byId = new Map()));
  const known = byId.get(id);
  if (known) return known;
  const unit = catalog.get(id);
  if (!unit) return [];
  const from = monthOf(unit.validFrom);
  const children = catalog.children(id);
  const during = children.length
    ? weighted(
        children.map((c) => ({ segments: leafWeights(catalog, c.id), factor: 1 })),
        from,
        LAST_MONTH,
      )
    : [{ fromMonth: from, toMonth: LAST_MONTH, leaves: 1 }];
  const c = catalog.contributions(id);
  const before = weighted(
    [
      ...c.whole.map((w) => ({ segments: leafWeights(catalog, w), factor: 1 })),
      ...c.shares.map((s) => ({ segments: leafWeights(catalog, s.id), factor: s.share })),
    ],
    FIRST_MONTH,
    from - 1,
  );
  const segments = merged([...before, ...during]);
  byId.set(id, segments);
  return segments;
}

/** The weight-weighted sum of several units' segments over [lo, hi]. */
function weighted(
  parts: readonly { segments: readonly WeightSegment[]; factor: number }[],
  lo: number,
  hi: number,
): WeightSegment[] {
  if (hi < lo || !parts.length) return [];
  const cuts = new Set<number>([lo]);
  for (const p of parts) {
    for (const s of p.segments) {
      if (s.fromMonth > lo && s.fromMonth <= hi) cuts.add(s.fromMonth);
      if (s.toMonth + 1 > lo && s.toMonth + 1 <= hi) cuts.add(s.toMonth + 1);
    }
  }
  const starts = [...cuts].sort((a, b) => a - b);
  return starts.map((start, i) => ({
    fromMonth: start,
    toMonth: i + 1 < starts.length ? starts[i + 1]! - 1 : hi,
    leaves: parts.reduce((sum, p) => sum + p.factor * weightAt(p.segments, start), 0),
  }));
}

function weightAt(segments: readonly WeightSegment[], month: number): number {
  for (const s of segments) if (s.fromMonth <= month && month <= s.toMonth) return s.leaves;
  return 0;
}

/** Adjacent segments of equal weight joined, segments of zero weight dropped. */
function merged(segments: readonly WeightSegment[]): WeightSegment[] {
  const out: WeightSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.toMonth + 1 === s.fromMonth && Math.abs(last.leaves - s.leaves) < 1e-12) {
      out[out.length - 1] = { ...last, toMonth: s.toMonth };
    } else out.push(s);
  }
  return out.filter((s) => s.leaves !== 0);
}

/**
 * What DESIGN 3 rule 9 expects of a unit with these weight segments over months [start, end]: for a
 * STOCK the leaves of its last month, else (FLOW, and a RATIO's target) the leaf-months it spans. The
 * same sums as the SQL's `expectedAggregate`, made once per row in the planner instead of by a join in
 * the answer's statement.
 */
export function expectedWeight(segments: readonly WeightSegment[], stock: boolean, start: number, end: number): number {
  let sum = 0;
  for (const s of segments) {
    if (stock) {
      if (s.fromMonth <= end && end <= s.toMonth) return s.leaves;
    } else if (s.fromMonth <= end && s.toMonth >= start) {
      sum += s.leaves * (Math.min(s.toMonth, end) - Math.max(s.fromMonth, start) + 1);
    }
  }
  return sum;
}
