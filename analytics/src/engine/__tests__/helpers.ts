import { findIndicator, Figure, parsePeriod, ReferenceEvaluator, UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { AnalyticsStore, FeedChange } from '../../store';
import type { AggregateRow } from '../types';

let real: UnitCatalog | undefined;

/** The real administrative units (14,149 versions), loaded once per test file. */
export function realCatalog(): UnitCatalog {
  if (!real) {
    const { units, links } = loadAdminUnits(DEFAULT_UNITS_DIR);
    real = new UnitCatalog(units, links);
  }
  return real;
}

export function changesOf(figures: readonly Figure[], firstSeq = 1): FeedChange[] {
  return figures.map((f, i) => ({ seq: firstSeq + i, ...f, unitId: f.unitId }));
}

/** A store in memory holding the catalogue and the figures. */
export async function storeWith(catalog: UnitCatalog, figures: readonly Figure[]): Promise<AnalyticsStore> {
  const store = await AnalyticsStore.open(':memory:', { threads: 2 });
  await store.syncCatalog(catalog);
  await store.applyChanges('test', changesOf(figures), figures.length);
  return store;
}

export const FIELDS = ['value', 'target', 'achievementPct', 'samePeriodValue', 'samePeriodPct'] as const;

export function close(a: number | null, b: number | null, tolerance = 1e-9): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * The differences between the engine's non-total rows and the reference evaluator's numbers for the
 * same indicator, unit version and period; empty when they agree.
 */
export function compareWithEvaluator(rows: readonly AggregateRow[], evaluator: ReferenceEvaluator): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    if (row.total) continue;
    const want = evaluator.row(findIndicator(row.indicator)!, row.unitId, parsePeriod(row.period));
    for (const field of FIELDS) {
      if (!close(row[field], want[field])) {
        problems.push(`${row.indicator} ${row.unitId} ${row.period} ${field}: engine ${row[field]}, evaluator ${want[field]}`);
      }
    }
    if (row.complete !== want.complete) {
      problems.push(`${row.indicator} ${row.unitId} ${row.period} complete: engine ${row.complete}, evaluator ${want.complete}`);
    }
  }
  return problems;
}
