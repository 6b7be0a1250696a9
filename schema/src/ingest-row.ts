/** The columns of an ingest file (CSV header or JSON-lines fields), in their usual order. */
export const INGEST_COLUMNS = ['indicator', 'unit', 'period', 'value', 'target'] as const;
export type IngestColumn = (typeof INGEST_COLUMNS)[number];

/** A column a rejects file adds; accepted (and ignored) on input so that a fixed rejects file can be re-ingested. */
export const REJECT_REASON_COLUMN = 'error';

/** One row as it arrives from a client, an ingest file or the demo data. */
export interface ObservationRecord {
  readonly indicator: string;
  /** A unit code (resolved for the period) or a unit version id `code@YYYY-MM-DD`. */
  readonly unit: string;
  readonly period: string;
  readonly value?: number | null | undefined;
  readonly target?: number | null | undefined;
}

/** The key an ingest row is unique on within one file: two rows with the same key are duplicates. */
export function ingestRowKey(row: Pick<ObservationRecord, 'indicator' | 'unit' | 'period'>): string {
  return `${row.indicator}|${row.unit}|${row.period}`;
}
