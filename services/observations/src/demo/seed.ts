import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityManager } from '@mikro-orm/core';
import { Domain, findIndicator, ObservationRecord, UnitCatalog } from '@lgr/schema';
import { parseIngest } from '../ingest-format';
import { upsertObservations, WriteCounts } from '../store';
import { validateObservations, ValidRow } from '../validation';
import { SYNTHETIC_SEED } from './random';
import { generateSyntheticObservations, SYNTHETIC_LABEL, SyntheticRow } from './synthetic';

/** The seed report's figures for Ngô Quyền, in the ingest format (see the README next to it). */
export const REPORT_FILE = join(__dirname, '..', '..', 'demo', 'ngo-quyen-2025.csv');

/** What a domain service is given to build its own demo records, consistent with the demo figures. */
export interface DemoRecordsContext {
  /** The seeding transaction. */
  readonly em: EntityManager;
  readonly catalog: UnitCatalog;
  readonly domain: Domain;
  /** Every demo figure of this domain (the report's and the synthetic ones) by unit version id. */
  readonly rows: readonly SyntheticRow[];
}

/** Builds and idempotently stores a service's demo domain records; returns a count per kind. */
export type SeedRecords = (ctx: DemoRecordsContext) => Promise<Record<string, number>>;

export interface DemoLoadCounts extends WriteCounts {
  readonly rows: number;
}

/** What `POST /internal/seed` answers and what a start on an empty store logs. */
export interface SeedCounts {
  readonly source: string;
  readonly report: DemoLoadCounts & { readonly file: string };
  readonly synthetic: DemoLoadCounts & { readonly label: string; readonly seed: number };
  readonly records: Record<string, number>;
}

/** The report's rows of one domain, as written in the report file. */
export function reportRecords(domain: Domain, file: string = REPORT_FILE): ObservationRecord[] {
  const parsed = parseIngest(readFileSync(file, 'utf8'), 'csv');
  const problems = [...parsed.fileProblems, ...parsed.rows.flatMap((r) => r.problems)];
  if (problems.length) {
    throw new Error(
      `The demo data file ${file} is invalid: ${problems.map((p) => `line ${p.line}: ${p.field}: ${p.message}`).join('; ')}`,
    );
  }
  return parsed.rows.map((r) => r.record!).filter((r) => findIndicator(r.indicator)?.domain === domain);
}

function validOrThrow(
  records: readonly ObservationRecord[],
  domain: Domain,
  catalog: UnitCatalog,
  what: string,
): ValidRow[] {
  const { rows, errors } = validateObservations(records, { domain, catalog });
  if (errors.length) {
    const first = errors.slice(0, 5).map((e) => `row ${e.index} ${e.field}: ${e.message}`);
    throw new Error(`The ${what} has ${errors.length} invalid rows: ${first.join('; ')}`);
  }
  return rows;
}

/**
 * Loads the demo data of one domain in one transaction: the synthetic figures, then the report's
 * figures (which the synthetic generator leaves room for), then the domain's own records. Running it
 * again changes nothing and reports every row unchanged.
 */
export async function loadDemoData(
  em: EntityManager,
  options: {
    domain: Domain;
    source: string;
    catalog: UnitCatalog;
    seedRecords?: SeedRecords | undefined;
    reportFile?: string;
  },
): Promise<SeedCounts> {
  const { domain, catalog } = options;
  const reportFile = options.reportFile ?? REPORT_FILE;
  const report = validOrThrow(reportRecords(domain, reportFile), domain, catalog, `report file ${reportFile}`);
  const generated = generateSyntheticObservations(catalog, domain, report);
  const synthetic = validOrThrow(
    generated.map((r) => ({
      indicator: r.indicator,
      unit: r.unitId,
      period: r.period,
      value: r.value,
      target: r.target,
    })),
    domain,
    catalog,
    'synthetic demo data',
  );
  return em.transactional(async (tx) => {
    const s = await upsertObservations(tx, synthetic);
    const r = await upsertObservations(tx, report);
    const all: SyntheticRow[] = [...synthetic, ...report].map(({ indicator, unitId, period, value, target }) => ({
      indicator,
      unitId,
      period,
      value,
      target,
    }));
    const records = options.seedRecords ? await options.seedRecords({ em: tx, catalog, domain, rows: all }) : {};
    return {
      source: options.source,
      report: {
        file: 'services/observations/demo/ngo-quyen-2025.csv',
        rows: report.length,
        inserted: r.inserted,
        updated: r.updated,
        unchanged: r.unchanged,
      },
      synthetic: {
        label: SYNTHETIC_LABEL,
        seed: SYNTHETIC_SEED,
        rows: synthetic.length,
        inserted: s.inserted,
        updated: s.updated,
        unchanged: s.unchanged,
      },
      records,
    };
  });
}
