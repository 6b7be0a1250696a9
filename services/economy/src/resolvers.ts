import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { adminUnitType, loadUnitRecords } from '@lgr/observations';
import type { AdminUnitKey, DomainContext } from '@lgr/observations';
import { BudgetEstimate, RevenueCategory } from './entities';

/** The economy records of a unit, scope-checked and loaded through DataLoaders. */
@Resolver(() => adminUnitType('ECONOMY'))
export class EconomyRecordsResolver {
  @FieldResolver(() => [BudgetEstimate], {
    nullable: true,
    description: 'Budget revenue estimates of this unit version, by year and category',
  })
  budgetEstimates(
    @Root() unit: AdminUnitKey,
    @Arg('year', () => Int, { nullable: true }) year: number | undefined,
    @Arg('category', () => RevenueCategory, { nullable: true }) category: RevenueCategory | undefined,
    @Ctx() ctx: DomainContext,
  ): Promise<BudgetEstimate[]> {
    const where: Record<string, unknown> = {};
    if (year !== undefined && year !== null) where.year = year;
    if (category) where.category = category;
    return loadUnitRecords(ctx, BudgetEstimate, unit.id, where, { year: 'asc', category: 'asc' });
  }
}
