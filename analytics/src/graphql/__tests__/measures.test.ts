import { FieldNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { selectedMeasures, selectedValueMeasures } from '../measures';

/** The resolve info of the first field of a document's operation, as the aggregate resolver gets it. */
function infoOf(document: string): Parameters<typeof selectedMeasures>[0] {
  const doc = parse(document);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

describe('selectedMeasures', () => {
  it('asks for the value only when no row field needs more', () => {
    expect(
      selectedMeasures(infoOf('{ aggregate(query: {}) { rows { value complete coverage { value } } stale } }')),
    ).toEqual(['VALUE']);
    expect(selectedMeasures(infoOf('{ aggregate(query: {}) { stale } }'))).toEqual(['VALUE']);
  });

  it('asks for the same period or the target when a row field or a coverage field reads it', () => {
    expect(selectedMeasures(infoOf('{ aggregate(query: {}) { rows { samePeriodPct } } }'))).toEqual([
      'VALUE',
      'SAME_PERIOD',
    ]);
    expect(selectedMeasures(infoOf('{ aggregate(query: {}) { rows { targetMet } } }'))).toEqual(['VALUE', 'TARGET']);
    expect(selectedMeasures(infoOf('{ aggregate(query: {}) { rows { coverage { yearToDate } } } }'))).toEqual([
      'VALUE',
      'TARGET',
    ]);
    expect(
      selectedMeasures(infoOf('{ aggregate(query: {}) { rows { coverage { samePeriod } achievementPct } } }')),
    ).toEqual(['VALUE', 'SAME_PERIOD', 'TARGET']);
  });

  it('reads through aliases, inline and named fragments (a fragment that spreads itself is read once)', () => {
    const document = `
      query { a: aggregate(query: {}) { ...Result } }
      fragment Result on AggregateResult { r: rows { ... on AggregateRow { v: value } ...Numbers } }
      fragment Numbers on AggregateRow { coverage { ...Cov } ...Numbers }
      fragment Cov on Coverage { target }`;
    expect(selectedMeasures(infoOf(document))).toEqual(['VALUE', 'TARGET']);
  });

  it('counts a field under @skip or @include as selected', () => {
    expect(
      selectedMeasures(infoOf('query($s: Boolean!) { aggregate(query: {}) { rows { target @skip(if: $s) } } }')),
    ).toEqual(['VALUE', 'TARGET']);
  });

  it('does not read fields of the same names outside the rows', () => {
    expect(selectedMeasures(infoOf('{ aggregate(query: {}) { target: stale rows { value } } }'))).toEqual(['VALUE']);
  });

  it('reads an AdminUnit.indicator field by its own fields', () => {
    const info = (fields: string) =>
      infoOf(
        `{ _entities(representations: []) { ... on AdminUnit { indicator(code: "X", period: "2025") { ${fields} } } } }`,
      );
    // The resolver's field node is the indicator field itself.
    const indicatorOf = (fields: string) => {
      const outer = info(fields);
      const entities = outer.fieldNodes[0]!;
      const fragment = entities.selectionSet!.selections[0]!;
      if (fragment.kind !== Kind.INLINE_FRAGMENT) throw new Error('expected an inline fragment');
      return { fieldNodes: [fragment.selectionSet.selections[0] as FieldNode], fragments: outer.fragments };
    };
    expect(selectedValueMeasures(indicatorOf('value complete coverage { value } note'))).toEqual(['VALUE']);
    expect(selectedValueMeasures(indicatorOf('value samePeriodPct'))).toEqual(['VALUE', 'SAME_PERIOD']);
    expect(selectedValueMeasures(indicatorOf('coverage { target }'))).toEqual(['VALUE', 'TARGET']);
  });
});
