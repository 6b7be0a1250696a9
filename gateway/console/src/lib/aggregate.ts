import { ApiError, gql } from './api';

/** How much of a figure was reported (DESIGN.md rule 9), from 0 to 1. */
export interface Coverage {
  readonly value: number | null;
  readonly target: number | null;
  readonly yearToDate: number | null;
  readonly samePeriod: number | null;
}

export interface AggregateRow {
  readonly indicator: { code: string };
  readonly unit: { code: string; name: string; fullName: string; nameEn: string; level: string };
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodValue: number | null;
  readonly samePeriodPct: number | null;
  readonly complete: boolean;
  /** Absent only while the platform's schema has no coverage. */
  readonly coverage?: Coverage | null;
}

export interface AggregateQuery {
  indicators: string[];
  units: string[];
  periods?: string[];
  from?: string;
  to?: string;
  grain?: string;
  level?: string;
  boundariesAsOf?: string;
}

const FIELDS =
  'indicator { code } unit { code name fullName nameEn level } period value target achievementPct samePeriodValue samePeriodPct complete';
const WITH_COVERAGE = `query Aggregate($q: AggregateQuery!) { aggregate(query: $q) { rows { ${FIELDS} coverage { value target yearToDate samePeriod } } } }`;
const WITHOUT_COVERAGE = `query Aggregate($q: AggregateQuery!) { aggregate(query: $q) { rows { ${FIELDS} } } }`;

let schemaHasCoverage = true;

/**
 * Runs an aggregate as the signed-in caller. Coverage is asked for; only a platform whose schema has
 * no `coverage` field yet is asked again without it (and its rows say nothing about coverage).
 */
export async function aggregate(token: string, q: AggregateQuery): Promise<AggregateRow[]> {
  if (schemaHasCoverage) {
    try {
      return (await gql<{ aggregate: { rows: AggregateRow[] } }>(token, WITH_COVERAGE, { q })).aggregate.rows;
    } catch (error) {
      const missingField =
        error instanceof ApiError && error.code === 'GRAPHQL_VALIDATION_FAILED' && /coverage/.test(error.message);
      if (!missingField) throw error;
      schemaHasCoverage = false;
    }
  }
  return (await gql<{ aggregate: { rows: AggregateRow[] } }>(token, WITHOUT_COVERAGE, { q })).aggregate.rows;
}

/** True when a row is not fully reported: its value's coverage below 1, or a figure lost to a boundary change. */
export function isProvisional(row: AggregateRow): boolean {
  const share = row.coverage?.value;
  return (share !== null && share !== undefined && share < 1) || !row.complete;
}

export interface IndicatorInfo {
  readonly code: string;
  readonly nameVi: string;
  readonly nameEn: string;
  readonly domain: string;
}

export async function indicatorCatalogue(token: string): Promise<IndicatorInfo[]> {
  return (await gql<{ indicators: IndicatorInfo[] }>(token, '{ indicators { code nameVi nameEn domain } }')).indicators;
}

export interface ChildUnit {
  readonly code: string;
  readonly name: string;
  readonly fullName: string;
  readonly nameEn: string;
  readonly level: string;
}

/** The units directly under a unit on a date. */
export async function childrenOf(token: string, code: string, asOf: string): Promise<ChildUnit[]> {
  const data = await gql<{ unit: { children: ChildUnit[] } | null }>(
    token,
    'query Children($code: String!, $asOf: Date!) { unit(code: $code, asOf: $asOf) { children(asOf: $asOf) { code name fullName nameEn level } } }',
    { code, asOf },
  );
  return data.unit?.children ?? [];
}
