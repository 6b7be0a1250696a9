import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Revenue categories of a budget estimate; TOTAL is the whole estimate, the others add up to it. */
export enum RevenueCategory {
  TOTAL = 'TOTAL',
  NON_STATE_TAX = 'NON_STATE_TAX',
  LAND_USE = 'LAND_USE',
  PERSONAL_INCOME_TAX = 'PERSONAL_INCOME_TAX',
  REGISTRATION_FEE = 'REGISTRATION_FEE',
  FEES_AND_CHARGES = 'FEES_AND_CHARGES',
  OTHER = 'OTHER',
}

registerEnumType(RevenueCategory, {
  name: 'RevenueCategory',
  description: 'TOTAL is the whole estimate (the EB_BUDGET_REV target); the other categories add up to it',
});

/** The state budget revenue estimate (dự toán) of a unit for a year, by category. */
@Entity({ tableName: 'budget_estimate' })
@Unique({ properties: ['unitId', 'year', 'category'] })
@Index({ properties: ['unitId'] })
@ObjectType('BudgetEstimate', {
  description: 'A state budget revenue estimate of a unit for a year, by revenue category',
})
export class BudgetEstimate {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 32 })
  @Field(() => ID)
  unitId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  year!: number;

  @Property({ type: 'string', length: 32 })
  @Field(() => RevenueCategory)
  category!: RevenueCategory;

  @Property({ type: 'double' })
  @Field(() => Float, { description: 'VND million' })
  amount!: number;
}

export const ECONOMY_ENTITIES = [BudgetEstimate];
