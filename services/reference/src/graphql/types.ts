import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateScalar, DirectionEnum, DomainEnum, GrainEnum, LevelEnum, RuleEnum } from '@lgr/kit';
import type { Direction, Domain, Grain, Level, Rule } from '@lgr/schema';

@ObjectType('AdminUnit', {
  description:
    'One version of an administrative unit. Codes are reused across reorganisations, so a version is identified by its id (`<code>@<validFrom>`).',
})
@Directive('@key(fields: "id")')
export class AdminUnit {
  @Field(() => ID, { description: 'Stable id of this version: `<code>@<validFrom>`' })
  id!: string;

  @Field(() => String, { description: 'Official statistics-office code (not unique across versions)' })
  code!: string;

  @Field(() => String, { description: 'Vietnamese name without the kind, e.g. "Ngô Quyền"' })
  name!: string;

  @Field(() => String, { description: 'Vietnamese name with the kind, e.g. "Quận Ngô Quyền"' })
  fullName!: string;

  @Field(() => String, { description: 'English name, e.g. "Ngo Quyen District"' })
  nameEn!: string;

  @Field(() => LevelEnum)
  level!: Level;

  @Field(() => String, {
    description: 'ward, commune, commune_level_town, special_zone, urban_district, province, municipality, ...',
  })
  kind!: string;

  @Field(() => DateScalar, { description: 'First day of validity' })
  validFrom!: string;

  @Field(() => DateScalar, { nullable: true, description: 'Last day of validity; null while the version is current' })
  validTo!: string | null;
}

@ObjectType('UnitShare', {
  description: 'A unit and the share of territory it has in common with another, seen from the older side',
})
export class UnitShare {
  @Field(() => AdminUnit)
  unit!: AdminUnit;

  @Field(() => Float, { description: 'Fraction of the older unit that went into the newer one (0 < share <= 1)' })
  share!: number;
}

@ObjectType('AdminUnitEdge')
export class AdminUnitEdge {
  @Field(() => String, { description: 'Opaque; pass it as `after` to continue after this unit' })
  cursor!: string;

  @Field(() => AdminUnit)
  node!: AdminUnit;
}

@ObjectType('PageInfo')
@Directive('@shareable')
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('AdminUnitConnection')
export class AdminUnitConnection {
  @Field(() => [AdminUnitEdge])
  edges!: AdminUnitEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Units matching the filter over all pages' })
  totalCount!: number;
}

@ObjectType('Indicator', { description: 'An indicator of the catalogue' })
@Directive('@key(fields: "code")')
export class IndicatorType {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  nameVi!: string;

  @Field(() => String)
  nameEn!: string;

  @Field(() => DomainEnum)
  domain!: Domain;

  @Field(() => String, { description: 'Unit of measure of a value (a RATIO value is a percentage)' })
  measure!: string;

  @Field(() => RuleEnum)
  rule!: Rule;

  @Field(() => DirectionEnum, {
    description: 'Which way is better: HIGHER, or LOWER (near-poor households, crimes, fires: the target is a ceiling)',
  })
  direction!: Direction;

  @Field(() => GrainEnum, {
    nullable: true,
    description: 'The period a target is set for (YEAR or TERM); null when the indicator takes no target',
  })
  targetGrain?: Grain;

  @Field(() => String, { nullable: true })
  notes?: string;
}

@ObjectType('Term', { description: 'A congress term: a named range of half-years' })
@Directive('@key(fields: "code")')
export class TermType {
  @Field(() => String, { description: 'e.g. "2020-2025"' })
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => DateScalar, { description: 'First day of the term' })
  start!: string;

  @Field(() => DateScalar, { description: 'Last day of the term' })
  end!: string;
}
