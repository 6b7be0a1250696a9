import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/** The military (and police) recruitment quota of a unit for a year, and how many were delivered. */
@Entity({ tableName: 'recruitment_quota' })
@Unique({ properties: ['unitId', 'year'] })
@Index({ properties: ['unitId'] })
@ObjectType('RecruitmentQuota', { description: 'The recruitment quota (chỉ tiêu giao quân) of a unit for a year' })
export class RecruitmentQuota {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  @Field(() => ID)
  unitId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  year!: number;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Conscripts to deliver (the DF_MIL_RECRUITS target)' })
  quota!: number;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: "Conscripts delivered (the year's DF_MIL_RECRUITS); null when not yet reported",
  })
  delivered: number | null = null;
}

export const SOCIAL_ENTITIES = [RecruitmentQuota];
