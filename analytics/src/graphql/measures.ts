import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';
import { Measure, MEASURE_VALUES } from '../engine';

/*
 * An aggregate computes only the numbers its query selects: a dashboard that shows values does not pay
 * for the same period a year earlier (twice the facts, across the reform its predecessors'), nor for
 * the year to date and the targets.
 */

/** The row fields (and coverage fields) that need each measure besides the value. */
const ROW_FIELDS: Record<string, Measure> = {
  samePeriodValue: 'SAME_PERIOD',
  samePeriodPct: 'SAME_PERIOD',
  target: 'TARGET',
  achievementPct: 'TARGET',
  targetMet: 'TARGET',
};
const COVERAGE_FIELDS: Record<string, Measure> = {
  samePeriod: 'SAME_PERIOD',
  target: 'TARGET',
  yearToDate: 'TARGET',
};

/**
 * The fields selected in `sets`, through inline and named fragments. A field under `@skip` or
 * `@include` counts as selected: the answer may compute a number nobody reads, never leave out one
 * that is read.
 */
function fieldsOf(
  sets: readonly (SelectionSetNode | undefined)[],
  info: Pick<GraphQLResolveInfo, 'fragments'>,
): FieldNode[] {
  const out: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet, seen);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        visit(info.fragments[s.name.value]?.selectionSet, seen);
      }
    }
  };
  for (const set of sets) visit(set, new Set());
  return out;
}

/** The measures the fields of a row read (`VALUE` always), in a fixed order. */
function measuresOf(fields: readonly FieldNode[], info: Pick<GraphQLResolveInfo, 'fragments'>): Measure[] {
  const measures = new Set<Measure>(['VALUE']);
  for (const field of fields) {
    const name = field.name.value;
    if (ROW_FIELDS[name]) measures.add(ROW_FIELDS[name]);
    if (name === 'coverage')
      for (const c of fieldsOf([field.selectionSet], info)) {
        const measure = COVERAGE_FIELDS[c.name.value];
        if (measure) measures.add(measure);
      }
  }
  // In a fixed order, so that the same numbers asked by two queries share one cached answer.
  return MEASURE_VALUES.filter((m) => measures.has(m));
}

/**
 * The measures an aggregate field's selection reads (`VALUE` always), from the fields selected under
 * its `rows`, for `AggregateRequest.measures`.
 */
export function selectedMeasures(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Measure[] {
  const rows = fieldsOf(
    info.fieldNodes.map((f) => f.selectionSet),
    info,
  ).filter((f) => f.name.value === 'rows');
  return measuresOf(
    fieldsOf(
      rows.map((r) => r.selectionSet),
      info,
    ),
    info,
  );
}

/** The measures an `AdminUnit.indicator` field's selection reads (`VALUE` always): the value's own fields. */
export function selectedValueMeasures(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Measure[] {
  return measuresOf(
    fieldsOf(
      info.fieldNodes.map((f) => f.selectionSet),
      info,
    ),
    info,
  );
}
