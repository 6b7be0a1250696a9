import { DemoRecordsContext, upsertRecords } from '@lgr/observations';
import { RecruitmentQuota } from './entities';

/**
 * Recruitment quotas consistent with the demo figures: for every unit and year with a DF_MIL_RECRUITS
 * target, the quota is that target and `delivered` the sum of the year's recorded DF_MIL_RECRUITS.
 */
export async function seedSocialRecords(ctx: DemoRecordsContext): Promise<Record<string, number>> {
  const recruits = ctx.rows.filter((r) => r.indicator === 'DF_MIL_RECRUITS');
  const quotas: Partial<RecruitmentQuota>[] = recruits
    .filter((r) => r.target !== null && /^\d{4}$/.test(r.period))
    .map((t) => {
      const values = recruits.filter(
        (r) => r.unitId === t.unitId && r.period.startsWith(`${t.period}S`) && r.value !== null,
      );
      return {
        unitId: t.unitId,
        year: Number(t.period),
        quota: t.target!,
        delivered: values.length ? values.reduce((s, r) => s + r.value!, 0) : null,
      };
    });
  return { recruitmentQuotas: await upsertRecords(ctx.em, RecruitmentQuota, quotas, ['unitId', 'year']) };
}
