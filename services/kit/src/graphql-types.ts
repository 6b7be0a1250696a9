import { GraphQLScalarType, Kind } from 'graphql';
import { registerEnumType } from 'type-graphql';
import { Direction, DOMAINS, Domain, GRAINS, Grain, isValidIsoDate, LEVELS, Level, Rule } from '@lgr/schema';

/**
 * A calendar date as `YYYY-MM-DD`. Reporting is in whole days, so there is no time or zone to get
 * wrong; an impossible day such as 2025-02-29 is refused with the value named.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD',
  serialize(value) {
    if (typeof value === 'string' && isValidIsoDate(value)) return value;
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    throw new TypeError(`Date cannot represent ${JSON.stringify(value)}`);
  },
  parseValue(value) {
    if (typeof value === 'string' && isValidIsoDate(value)) return value;
    throw new TypeError(`Expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && isValidIsoDate(ast.value)) return ast.value;
    throw new TypeError(
      `Expected a date as YYYY-MM-DD, got ${ast.kind === Kind.STRING ? JSON.stringify(ast.value) : ast.kind}`,
    );
  },
});

/** GraphQL enums shared by every subgraph, so that composition sees one definition of each. */
export const LevelEnum = Object.fromEntries(LEVELS.map((l) => [l, l])) as { [K in Level]: K };
export const DomainEnum = Object.fromEntries(DOMAINS.map((d) => [d, d])) as { [K in Domain]: K };
export const GrainEnum = Object.fromEntries(GRAINS.map((g) => [g, g])) as { [K in Grain]: K };
export const RuleEnum = { FLOW: 'FLOW', STOCK: 'STOCK', RATIO: 'RATIO' } as const satisfies { [K in Rule]: K };
export const DirectionEnum = { HIGHER: 'HIGHER', LOWER: 'LOWER' } as const satisfies { [K in Direction]: K };

registerEnumType(LevelEnum, {
  name: 'UnitLevel',
  description: 'PROVINCE, DISTRICT (until 2025-06-30) or COMMUNE (ward, commune, town, special zone)',
});
registerEnumType(DomainEnum, { name: 'Domain', description: 'Which subgraph owns an indicator' });
registerEnumType(GrainEnum, { name: 'Grain', description: 'Length of a period' });
registerEnumType(DirectionEnum, {
  name: 'Direction',
  description: 'Which way is better: HIGHER, or LOWER (the target is a ceiling)',
});
registerEnumType(RuleEnum, {
  name: 'AggregationRule',
  description: 'FLOW sums, STOCK takes the end value over time, RATIO is recomputed',
});
