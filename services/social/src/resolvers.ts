import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { adminUnitType, loadUnitRecords } from '@lgr/observations';
import type { AdminUnitKey, DomainContext } from '@lgr/observations';
import { RecruitmentQuota } from './entities';

/** The social and defence records of a unit, scope-checked and loaded through DataLoaders. */
@Resolver(() => adminUnitType('SOCIAL'))
export class SocialRecordsResolver {
  @FieldResolver(() => [RecruitmentQuota], {
    nullable: true,
    description: 'Military recruitment quotas of this unit version by year',
  })
  recruitmentQuotas(
    @Root() unit: AdminUnitKey,
    @Arg('year', () => Int, { nullable: true }) year: number | undefined,
    @Ctx() ctx: DomainContext,
  ): Promise<RecruitmentQuota[]> {
    return loadUnitRecords(ctx, RecruitmentQuota, unit.id, year !== undefined && year !== null ? { year } : {}, {
      year: 'asc',
    });
  }
}
