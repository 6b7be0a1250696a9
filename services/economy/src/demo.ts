import { between, DemoRecordsContext, upsertRecords } from '@lgr/observations';
import { BudgetEstimate, RevenueCategory } from './entities';

/** Shares of the estimate for the categories that have no indicator target of their own (synthetic). */
const SHARES: [RevenueCategory, number, number][] = [
  [RevenueCategory.PERSONAL_INCOME_TAX, 0.06, 0.1],
  [RevenueCategory.REGISTRATION_FEE, 0.04, 0.07],
  [RevenueCategory.FEES_AND_CHARGES, 0.02, 0.04],
];

/**
 * Budget estimates consistent with the demo targets: for every unit and year with an EB_BUDGET_REV
 * target, TOTAL is that target, NON_STATE_TAX the EB_NONSTATE_TAX target and LAND_USE the EB_LAND_REV
 * target where the unit has them; the remaining categories are synthetic shares, and OTHER makes the
 * categories add up to TOTAL exactly.
 */
export async function seedEconomyRecords(ctx: DemoRecordsContext): Promise<Record<string, number>> {
  const targets = new Map<string, number>();
  for (const r of ctx.rows) if (r.target !== null) targets.set(`${r.indicator}|${r.unitId}|${r.period}`, r.target);
  const estimates: Partial<BudgetEstimate>[] = [];
  for (const r of ctx.rows) {
    if (r.indicator !== 'EB_BUDGET_REV' || r.target === null) continue;
    const total = r.target;
    const year = Number(r.period);
    const key = (indicator: string) => targets.get(`${indicator}|${r.unitId}|${r.period}`);
    const parts = new Map<RevenueCategory, number>();
    parts.set(RevenueCategory.NON_STATE_TAX, Math.min(total, key('EB_NONSTATE_TAX') ?? Math.round(total * 0.2)));
    for (const [category, low, high] of SHARES)
      parts.set(category, Math.round(total * between(`${category}|${r.unitId}|${year}`, low, high)));
    const used = [...parts.values()].reduce((s, v) => s + v, 0);
    parts.set(
      RevenueCategory.LAND_USE,
      Math.max(
        0,
        Math.min(
          total - used,
          key('EB_LAND_REV') ?? Math.round(total * between(`LAND_USE|${r.unitId}|${year}`, 0.05, 0.2)),
        ),
      ),
    );
    const other = total - [...parts.values()].reduce((s, v) => s + v, 0);
    if (other < 0) {
      // The parts taken from targets already exceed the total: drop the synthetic ones.
      for (const [category] of SHARES) parts.set(category, 0);
      parts.set(RevenueCategory.LAND_USE, 0);
    }
    parts.set(
      RevenueCategory.OTHER,
      total - [...parts.entries()].filter(([c]) => c !== RevenueCategory.OTHER).reduce((s, [, v]) => s + v, 0),
    );
    estimates.push({ unitId: r.unitId, year, category: RevenueCategory.TOTAL, amount: total });
    for (const [category, amount] of parts) estimates.push({ unitId: r.unitId, year, category, amount });
  }
  return { budgetEstimates: await upsertRecords(ctx.em, BudgetEstimate, estimates, ['unitId', 'year', 'category']) };
}
