import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';
import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { Domain } from '@lgr/schema';

/** What a domain subgraph knows of an `AdminUnit`: its key, the unit version id. */
export interface AdminUnitKey {
  readonly id: string;
}

function defineAdminUnit(): Function {
  @ObjectType('AdminUnit')
  @Directive('@key(fields: "id")')
  class DomainAdminUnit {
    @Field(() => ID, { description: 'Unit version id, e.g. 304@2000-01-01' })
    id!: string;
  }
  return DomainAdminUnit;
}

/*
 * One class per domain, all defined up front: type-graphql resolves every resolver's type while it
 * builds any schema, so a type first created during a build would be missing from that build.
 */
const ADMIN_UNIT_TYPES: Record<Domain, Function> = {
  PARTY: defineAdminUnit(),
  ECONOMY: defineAdminUnit(),
  SOCIAL: defineAdminUnit(),
};

/**
 * The reference subgraph's `AdminUnit` as one domain subgraph extends it. Each domain has its own
 * class: type-graphql adds a resolver's fields to the class's metadata for good, so one class shared
 * by the three subgraphs would carry every domain's fields into every schema built in the same
 * process (as the gateway's composition does).
 */
export function adminUnitType(domain: Domain): Function {
  return ADMIN_UNIT_TYPES[domain];
}

/** The reference subgraph's `Indicator`, referenced by its code. */
@ObjectType('Indicator')
@Directive('@key(fields: "code", resolvable: false)')
export class IndicatorRef {
  @Field(() => String)
  code!: string;
}

/** The reference subgraph's congress `Term`, referenced by its code. */
@ObjectType('Term')
@Directive('@key(fields: "code", resolvable: false)')
export class TermRef {
  @Field(() => String)
  code!: string;
}

/** What was recorded for one (indicator, unit version, period): the same type in every domain subgraph. */
@ObjectType('Figure', { description: 'A recorded value and/or target for one indicator, unit version and period' })
@Directive('@shareable')
export class Figure {
  @Field(() => IndicatorRef)
  indicator!: IndicatorRef;

  @Field(() => ID, { description: 'The unit version the figure was recorded for' })
  unitId!: string;

  @Field(() => String, { description: 'Period code: 2025, 2025S1, 2025Q3, 202507 or a term code such as 2020-2025' })
  period!: string;

  @Field(() => Float, { nullable: true, description: 'The recorded value; null when only a target was recorded' })
  value!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The recorded target (for a year or a term); null when none was recorded',
  })
  target!: number | null;

  @Field(() => String, { description: 'When the value or target last changed (ISO timestamp)' })
  updatedAt!: string;
}

/** One row of a batch written with `recordObservations`. */
@InputType('ObservationInput')
export class ObservationInput {
  @Field(() => String, { description: "Indicator code of this subgraph's domain, e.g. PB_NEW_MEMBERS" })
  indicator!: string;

  @Field(() => String, { description: 'Unit code (resolved for the period) or unit version id such as 304@2000-01-01' })
  unit!: string;

  @Field(() => String, {
    description: 'Period code, e.g. 2025S1; a target goes on its year (2025) or term (2020-2025)',
  })
  period!: string;

  @Field(() => Float, { nullable: true })
  value?: number | null;

  @Field(() => Float, { nullable: true })
  target?: number | null;
}

/** Why one row of a batch was refused. */
@ObjectType('RowError')
@Directive('@shareable')
export class RowError {
  @Field(() => Int, { description: '0-based position of the row in the input list' })
  index!: number;

  @Field(() => String, { description: 'indicator, unit, period, value, target, or row for the row as a whole' })
  field!: string;

  @Field(() => String)
  message!: string;

  @Field(() => String, {
    description: 'An error code such as UNKNOWN_INDICATOR, UNIT_NOT_FOUND, INVALID_PERIOD, BAD_USER_INPUT, FORBIDDEN',
  })
  code!: string;
}

/** The outcome of a batch: all rows were written (or would be, for a dry run), or none and why. */
@ObjectType('RecordObservationsPayload')
@Directive('@shareable')
export class RecordObservationsPayload {
  @Field(() => Boolean, { description: 'True when every row was valid (and, unless a dry run, written)' })
  ok!: boolean;

  @Field(() => Int, { description: 'Keys that did not exist before' })
  inserted!: number;

  @Field(() => Int, { description: 'Existing keys whose value or target changed' })
  updated!: number;

  @Field(() => Int, { description: 'Rows that matched what was already stored' })
  unchanged!: number;

  @Field(() => [RowError])
  errors!: RowError[];
}

/** The outcome of staging a batch in an ingest run: all its rows were staged, or none and why. */
@ObjectType('StageObservationsPayload')
@Directive('@shareable')
export class StageObservationsPayload {
  @Field(() => Boolean, { description: 'True when every row was valid and staged' })
  ok!: boolean;

  @Field(() => Int, { description: 'Rows added to the run: the whole batch, or 0' })
  staged!: number;

  @Field(() => [RowError])
  errors!: RowError[];
}

/**
 * A batch of rows as columns (see `observationColumnsSchema` of @lgr/schema). A scalar, so that a
 * GraphQL server passes it on as it is instead of checking every cell of every row as an input
 * object; the subgraph checks it once, naming the row and column of any bad cell.
 */
export const ObservationColumnsScalar = new GraphQLScalarType({
  name: 'ObservationColumns',
  description:
    'Rows as parallel columns: { "indicator": [String], "unit": [String], "period": [String], "value": [Float or null], "target": [Float or null] }',
  parseValue: (value: unknown) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
  serialize: (value: unknown) => value,
});
