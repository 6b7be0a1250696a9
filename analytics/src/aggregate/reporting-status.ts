import type { Identity } from '@lgr/kit';
import type { Level } from '@lgr/schema';
import type { AggregateRow } from '../engine';
import { AggregateServices, computeAggregate } from './service';

/** A question to `reportingStatus`: an indicator for a period, the units at a level inside a unit. */
export interface ReportingStatusQuery {
  readonly indicator: string;
  readonly unit: string;
  readonly period: string;
  /** Default COMMUNE: the wards and communes. */
  readonly level?: Level | null;
  readonly boundariesAsOf?: string | null;
}

/** One unit's reporting. */
export interface ReportingUnit {
  readonly unitId: string;
  readonly value: number | null;
  readonly coverage: number;
}

/** Who reported an indicator for a period inside a unit (DHIS2's reporting rate). */
export interface ReportingStatus {
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  readonly level: Level;
  readonly boundariesAsOf: string;
  readonly expected: number;
  readonly actual: number;
  readonly rate: number | null;
  readonly coverage: number;
  readonly reported: ReportingUnit[];
  readonly partial: ReportingUnit[];
  readonly missing: ReportingUnit[];
}

/** Coverage this close to 1 is 1 (shares such as 1/3 do not sum exactly). */
const FULL = 1 - 1e-9;

/**
 * Answers "who has not reported yet" with one aggregate at the level (so the caller's scope, limits
 * and cache apply as to any aggregate): a unit has reported when its value's coverage is 1, has
 * reported part of the period when it is above 0, and is missing otherwise.
 */
export async function computeReportingStatus(
  services: AggregateServices,
  identity: Identity,
  query: ReportingStatusQuery,
): Promise<ReportingStatus> {
  const level = query.level ?? 'COMMUNE';
  const answer = await computeAggregate(services, identity, {
    indicators: [query.indicator],
    units: [query.unit],
    periods: [query.period],
    level,
    boundariesAsOf: query.boundariesAsOf ?? null,
    totals: true,
  });
  return statusOf(query.indicator, level, answer.rows);
}

/** The status from the rows of one unit's members and their total. */
export function statusOf(indicator: string, level: Level, rows: readonly AggregateRow[]): ReportingStatus {
  const total = rows.find((r) => r.total)!;
  const members = rows.filter((r) => !r.total && r.note === null);
  const of = (r: AggregateRow): ReportingUnit => ({ unitId: r.unitId, value: r.value, coverage: r.coverage.value });
  const reported = members.filter((r) => r.coverage.value >= FULL).map(of);
  const partial = members.filter((r) => r.coverage.value > 0 && r.coverage.value < FULL).map(of);
  const missing = members.filter((r) => r.coverage.value <= 0).map(of);
  return {
    indicator,
    unitId: total.unitId,
    period: total.period,
    level,
    boundariesAsOf: total.boundariesAsOf,
    expected: members.length,
    actual: reported.length,
    rate: members.length ? reported.length / members.length : null,
    coverage: total.coverage.value,
    reported,
    partial,
    missing,
  };
}
