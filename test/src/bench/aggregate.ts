import { UnitCatalog } from '@lgr/schema';
import { type AggregateRequest, runAggregate } from '@lgr/analytics/dist/engine';
import { AnalyticsStore } from '@lgr/analytics/dist/store';
import { syntheticCountry, syntheticFacts } from './synthetic';

/*
 * A benchmark of the aggregate engine on a country-sized catalogue and a few hundred thousand facts.
 * Absolute times depend on the machine, so each case is reported as a ratio to a baseline measured in
 * the same run (one commune, one period).
 */

/** One measured case: rows returned, median time, and its ratio to the baseline case. */
export interface BenchCase {
  name: string;
  rows: number;
  medianMs: number;
  /** Median CPU time of the process (all DuckDB threads included), less sensitive to a busy machine. */
  medianCpuMs: number;
  ratio: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(
  fn: () => Promise<number>,
  repeat: number,
): Promise<{ rows: number; medianMs: number; medianCpuMs: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let rows = 0;
  for (let i = 0; i < repeat; i++) {
    const started = process.hrtime.bigint();
    const usage = process.cpuUsage();
    rows = await fn();
    const used = process.cpuUsage(usage);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    cpu.push((used.user + used.system) / 1000);
  }
  return { rows, medianMs: median(times), medianCpuMs: median(cpu) };
}

/**
 * Loads a country-sized catalogue (the one given, else {@link syntheticCountry}) and its synthetic
 * facts into an in-memory store, times a few aggregate queries, and prints each one's median time and
 * its ratio to the baseline (one commune, one indicator, one period). Returns the measurements.
 */
export async function benchAggregate(
  options: { catalog?: UnitCatalog; repeat?: number; log?: (line: string) => void } = {},
): Promise<BenchCase[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const catalog = options.catalog ?? syntheticCountry();
  const repeat = options.repeat ?? 5;
  const store = await AnalyticsStore.open(':memory:');
  try {
    const started = Date.now();
    await store.syncCatalog(catalog);
    const facts = syntheticFacts(catalog);
    await store.applyChanges('bench', facts, facts.length);
    log(`loaded ${catalog.units.length} unit versions and ${facts.length} facts in ${Date.now() - started} ms`);

    const newProvinces = catalog.validOn('2025-12-31', 'PROVINCE');
    const commune = catalog.validOn('2025-12-31', 'COMMUNE')[0]!;
    const oldProvince = catalog.validOn('2024-12-31', 'PROVINCE')[0]!;
    const cases: [string, AggregateRequest][] = [
      [
        'one commune, 2025, one indicator (baseline)',
        { indicators: ['PB_NEW_MEMBERS'], units: [commune.code], periods: ['2025'] },
      ],
      [
        'all communes of the country, 2025',
        { indicators: ['PB_NEW_MEMBERS'], units: newProvinces.map((p) => p.code), periods: ['2025'], level: 'COMMUNE' },
      ],
      [
        'all communes of the country, 2024 on 2025-07-01 boundaries, a ratio',
        {
          indicators: ['SS_POOR_RATE'],
          units: newProvinces.map((p) => p.code),
          periods: ['2024'],
          level: 'COMMUNE',
          boundariesAsOf: '2025-07-01',
        },
      ],
      [
        'communes of one old province, 3 indicators, 2024Q1-2025Q2 by quarter',
        {
          indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_POOR_RATE'],
          units: [oldProvince.code],
          from: '2024Q1',
          to: '2025Q2',
          grain: 'QUARTER',
          level: 'COMMUNE',
        },
      ],
      [
        'all provinces with totals, 2025S2 and 2025',
        {
          indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH'],
          units: newProvinces.map((p) => p.code),
          periods: ['2025S2', '2025'],
          totals: true,
        },
      ],
    ];
    // One query before measuring, so that the baseline does not pay for warming up.
    await runAggregate(store, catalog, cases[0]![1]);
    const results: BenchCase[] = [];
    let baseline = 0;
    for (const [name, request] of cases) {
      const { rows, medianMs, medianCpuMs } = await time(
        async () => (await runAggregate(store, catalog, request)).length,
        repeat,
      );
      if (!baseline) baseline = medianMs;
      const result = { name, rows, medianMs, medianCpuMs, ratio: medianMs / baseline };
      results.push(result);
      log(
        `${name}: ${rows} rows, median ${medianMs.toFixed(1)} ms (CPU ${medianCpuMs.toFixed(1)} ms), ${result.ratio.toFixed(1)}x baseline`,
      );
    }
    return results;
  } finally {
    await store.close();
  }
}
