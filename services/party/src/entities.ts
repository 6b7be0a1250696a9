import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from '@lgr/kit';
import { TermRef } from '@lgr/observations';

/** What kind of Party organisation a record is. */
export enum PartyOrganisationKind {
  DISTRICT_COMMITTEE = 'DISTRICT_COMMITTEE',
  COMMUNE_COMMITTEE = 'COMMUNE_COMMITTEE',
  GRASSROOTS = 'GRASSROOTS',
}

/** Where a congress stands. */
export enum CongressStatus {
  PLANNED = 'PLANNED',
  HELD = 'HELD',
  POSTPONED = 'POSTPONED',
}

/** How a Congress-resolution target ended: OUTSTANDING is completed and more. */
export enum ResolutionTargetStatus {
  COMPLETED = 'COMPLETED',
  OUTSTANDING = 'OUTSTANDING',
  NOT_COMPLETED = 'NOT_COMPLETED',
}

registerEnumType(PartyOrganisationKind, {
  name: 'PartyOrganisationKind',
  description: 'District or commune Party committee, or a grassroots organisation (cell or grassroots committee)',
});
registerEnumType(CongressStatus, { name: 'CongressStatus' });
registerEnumType(ResolutionTargetStatus, {
  name: 'ResolutionTargetStatus',
  description: 'COMPLETED, OUTSTANDING (completed and exceeded) or NOT_COMPLETED',
});

/** A Party organisation under a unit. */
@Entity({ tableName: 'party_organisation' })
@Unique({ properties: ['unitId', 'name'] })
@Index({ properties: ['unitId'] })
@ObjectType('PartyOrganisation', { description: 'A Party organisation of a unit' })
export class PartyOrganisation {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  @Field(() => ID, { description: 'The unit version it belongs to' })
  unitId!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'string', length: 32 })
  @Field(() => PartyOrganisationKind)
  kind!: PartyOrganisationKind;

  @Property({ type: 'string', length: 10, nullable: true })
  @Field(() => DateScalar, { nullable: true, description: 'When it was established; null when not recorded' })
  established: string | null = null;
}

/** A Party congress of a unit's organisation for a term. */
@Entity({ tableName: 'party_congress' })
@Unique({ properties: ['unitId', 'termCode', 'body'] })
@Index({ properties: ['unitId'] })
@ObjectType('PartyCongress', { description: 'A Party congress held (or planned) for a term' })
export class PartyCongress {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  @Field(() => ID)
  unitId!: string;

  @Property({ type: 'string', length: 16 })
  termCode!: string;

  @Field(() => TermRef, { description: 'The term the congress opens' })
  get term(): TermRef {
    return { code: this.termCode };
  }

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'The Party body holding the congress' })
  body!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => DateScalar)
  plannedDate!: string;

  @Property({ type: 'string', length: 10, nullable: true })
  @Field(() => DateScalar, { nullable: true })
  heldDate: string | null = null;

  @Property({ type: 'string', length: 16 })
  @Field(() => CongressStatus)
  status!: CongressStatus;
}

/** One target of a Congress resolution for a term, and how it ended. */
@Entity({ tableName: 'party_resolution_target' })
@Unique({ properties: ['unitId', 'termCode', 'ordinal'] })
@Index({ properties: ['unitId'] })
@ObjectType('ResolutionTarget', { description: 'A target of the Congress resolution of a term' })
export class ResolutionTarget {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  @Field(() => ID)
  unitId!: string;

  @Property({ type: 'string', length: 16 })
  termCode!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Its number in the resolution' })
  ordinal!: number;

  @Property({ type: 'string', length: 300 })
  @Field(() => String)
  title!: string;

  @Property({ type: 'string', length: 16 })
  @Field(() => ResolutionTargetStatus)
  status!: ResolutionTargetStatus;
}

@ObjectType('ResolutionTargetSummary')
export class ResolutionTargetSummary {
  @Field(() => Int)
  total!: number;

  @Field(() => Int, { description: 'Completed, outstandingly completed included' })
  completed!: number;

  @Field(() => Int)
  outstanding!: number;

  @Field(() => Int)
  notCompleted!: number;
}

@ObjectType('ResolutionTargets', { description: 'The Congress-resolution targets of a unit for a term' })
export class ResolutionTargets {
  @Field(() => TermRef)
  term!: TermRef;

  @Field(() => [ResolutionTarget])
  items!: ResolutionTarget[];

  @Field(() => ResolutionTargetSummary)
  summary!: ResolutionTargetSummary;
}

export const PARTY_ENTITIES = [PartyOrganisation, PartyCongress, ResolutionTarget];
