import {
  ALL_MEASURES,
  findIndicator,
  Figure,
  Measures,
  onlyMeasures,
  parsePeriod,
  ReferenceEvaluator,
  UnitCatalog,
  UnitVersion,
} from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { AnalyticsStore, FeedChange } from '../../store';
import { runAggregate } from '../aggregate';
import type { AggregateOptions, AggregateRequest, AggregateRow } from '../types';

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

const COVERAGES = ['value', 'target', 'yearToDate', 'samePeriod'] as const;

/** The numbers a request asks for besides the value. */
export function measuresOf(request: AggregateRequest): Measures {
  const m = request.measures;
  return m ? { samePeriod: m.includes('SAME_PERIOD'), target: m.includes('TARGET') } : ALL_MEASURES;
}

/**
 * The differences between the engine's non-total rows and the reference evaluator's numbers for the
 * same indicator, unit version and period (or the requested periods a term row combines), coverage
 * and `targetMet` included; empty when they agree. A row without numbers (its code has no version on
 * its date) must have none.
 */
export function compareWithEvaluator(
  rows: readonly AggregateRow[],
  evaluator: ReferenceEvaluator,
  measures: Measures = ALL_MEASURES,
): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    if (row.total) continue;
    if (row.note !== null) {
      if (row.value !== null || row.complete)
        problems.push(`${row.indicator} ${row.unitId} ${row.period}: a row with a note has numbers`);
      continue;
    }
    // Every number computed, then those not asked for left out: asking for fewer changes no number.
    const want = onlyMeasures(
      evaluator.rowOf(
        findIndicator(row.indicator)!,
        row.unitId,
        row.periods.map((p) => parsePeriod(p)),
      ),
      measures,
    );
    problems.push(...differences(`${row.indicator} ${row.unitId} ${row.period}`, row, want));
  }
  return problems;
}

/** The fields in which an engine row differs from what it should be. */
export function differences(
  label: string,
  row: Pick<AggregateRow, (typeof FIELDS)[number] | 'complete' | 'coverage' | 'targetMet'>,
  want: Pick<AggregateRow, (typeof FIELDS)[number] | 'complete' | 'coverage' | 'targetMet'>,
): string[] {
  const problems: string[] = [];
  for (const field of FIELDS) {
    if (!close(row[field], want[field]))
      problems.push(`${label} ${field}: engine ${row[field]}, evaluator ${want[field]}`);
  }
  for (const c of COVERAGES) {
    if (!close(row.coverage[c], want.coverage[c], 1e-7))
      problems.push(`${label} coverage.${c}: engine ${row.coverage[c]}, evaluator ${want.coverage[c]}`);
  }
  if (row.complete !== want.complete)
    problems.push(`${label} complete: engine ${row.complete}, evaluator ${want.complete}`);
  if (row.targetMet !== want.targetMet)
    problems.push(`${label} targetMet: engine ${row.targetMet}, evaluator ${want.targetMet}`);
  return problems;
}

/** Which path answered a question, read from its trace. */
export type AnsweredBy = 'memory' | 'programme' | 'additive' | 'plan only';

/** Asks a question with one strategy and tells which path answered it. */
export async function askWith(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  request: AggregateRequest,
  options: AggregateOptions & { strategy: 'sql' | 'memory' | 'additive' },
): Promise<{ rows: AggregateRow[]; by: AnsweredBy }> {
  const steps: string[] = [];
  const rows = await runAggregate(store, catalog, request, { ...options, trace: (step) => steps.push(step) });
  const by = steps.includes('result')
    ? 'programme'
    : steps.includes('in-memory evaluation')
      ? 'memory'
      : steps.includes('additive evaluation')
        ? 'additive'
        : 'plan only';
  return { rows, by };
}

/**
 * Asks a question by the SQL programme, in memory (which leaves overflowing numbers to the programme)
 * and by the additive path (which leaves what it cannot sum to the others), and returns the
 * programme's rows after checking that the answers have the same rows with the same numbers.
 */
export async function askBothWays(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  request: AggregateRequest,
  options: AggregateOptions = {},
): Promise<AggregateRow[]> {
  const sql = await askWith(store, catalog, request, { ...options, strategy: 'sql' });
  expect(sql.by).not.toBe('memory');
  const label = (r: AggregateRow) => `${r.indicator} ${r.unitId} ${r.period}${r.total ? ' total' : ''}`;
  const problems: string[] = [];
  const others = [
    { strategy: 'memory' },
    { strategy: 'additive', additiveSources: 'bound' },
    { strategy: 'additive', additiveSources: 'stored' },
  ] as const;
  for (const how of others) {
    const other = await askWith(store, catalog, request, { ...options, ...how });
    expect(other.rows.map(label)).toEqual(sql.rows.map(label));
    problems.push(
      ...sql.rows.flatMap((row, i) => {
        const them = other.rows[i]!;
        return [
          ...differences(`${label(row)} (programme, ${other.by})`, row, them),
          ...(row.note === them.note ? [] : [`${label(row)} note: ${row.note}, ${them.note}`]),
        ];
      }),
    );
  }
  expect(problems).toEqual([]);
  return sql.rows;
}

/** A unit version named by its code, valid from `from` to `to`. */
export function unit(
  code: string,
  level: UnitVersion['level'],
  parent: string | null,
  from: string,
  to: string | null,
): UnitVersion {
  return {
    id: `${code}@${from}`,
    code,
    name: code,
    fullName: code,
    nameEn: code,
    level,
    kind: 'test',
    parentId: parent,
    validFrom: from,
    validTo: to,
  };
}
