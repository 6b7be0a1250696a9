import { findIndicator, UnitCatalog } from '@lgr/schema';
import type { AggregateRow } from '../engine';
import type { Cell, TypedColumn } from '../sandbox/data';

/** The columns of an exported aggregate, with names looked up so the file stands on its own. */
export const AGGREGATE_EXPORT_COLUMNS: readonly TypedColumn[] = [
  ['indicator', 'VARCHAR'],
  ['indicator_name_vi', 'VARCHAR'],
  ['indicator_name_en', 'VARCHAR'],
  ['unit_id', 'VARCHAR'],
  ['unit_code', 'VARCHAR'],
  ['unit_name', 'VARCHAR'],
  ['unit_level', 'VARCHAR'],
  ['period', 'VARCHAR'],
  ['term', 'VARCHAR'],
  ['value', 'DOUBLE'],
  ['target', 'DOUBLE'],
  ['achievement_pct', 'DOUBLE'],
  ['same_period_value', 'DOUBLE'],
  ['same_period_pct', 'DOUBLE'],
  ['complete', 'BOOLEAN'],
  ['total', 'BOOLEAN'],
  ['boundaries_as_of', 'DATE'],
];

/** One exported row per aggregate row, in the order of {@link AGGREGATE_EXPORT_COLUMNS}. */
export function aggregateExportRows(rows: readonly AggregateRow[], catalog: UnitCatalog): Cell[][] {
  return rows.map((r) => {
    const indicator = findIndicator(r.indicator);
    const unit = catalog.get(r.unitId);
    return [
      r.indicator,
      indicator?.nameVi ?? null,
      indicator?.nameEn ?? null,
      r.unitId,
      r.unitCode,
      unit?.fullName ?? null,
      unit?.level ?? null,
      r.period,
      r.term,
      r.value,
      r.target,
      r.achievementPct,
      r.samePeriodValue,
      r.samePeriodPct,
      r.complete,
      r.total,
      r.boundariesAsOf,
    ];
  });
}
