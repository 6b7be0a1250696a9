import { gql } from './api';

export interface ReportingUnit {
  readonly unit: { code: string; fullName: string; nameEn: string };
  readonly value: number | null;
  readonly coverage: number;
}

/** Who reported an indicator for a period inside a unit (DHIS2's reporting rate), one query. */
export interface ReportingStatus {
  readonly expected: number;
  readonly actual: number;
  readonly rate: number | null;
  readonly coverage: number;
  readonly partial: ReportingUnit[];
  readonly missing: ReportingUnit[];
}

const UNIT = 'unit { code fullName nameEn } value coverage';
const QUERY = `query ReportingStatus($indicator: String!, $unit: String!, $period: String!, $level: UnitLevel) {
  reportingStatus(indicator: $indicator, unit: $unit, period: $period, level: $level) {
    expected actual rate coverage partial { ${UNIT} } missing { ${UNIT} }
  }
}`;

export async function reportingStatus(
  token: string,
  q: { indicator: string; unit: string; period: string; level: string },
): Promise<ReportingStatus> {
  return (await gql<{ reportingStatus: ReportingStatus }>(token, QUERY, q)).reportingStatus;
}
