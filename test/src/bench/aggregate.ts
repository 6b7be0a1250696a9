import { LineageLink, UnitCatalog, UnitVersion } from '@lgr/schema';
import { AnalyticsStore, FeedChange } from '../store';
import { runAggregate } from './aggregate';
import type { AggregateRequest } from './types';

/*
 * A benchmark of the aggregate engine on a country-sized catalogue and a few hundred thousand facts.
 * Absolute times depend on the machine, so each case is reported as a ratio to a baseline measured in
 * the same run (one commune, one period).
 */

/** Deterministic pseudo-random numbers (mulberry32), so that every run measures the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A catalogue shaped like the country's: 63 provinces of 11 districts of 14-15 communes (about 10,000)
 * until 2025-06-30, then 34 provinces of about 98 communes (3,321); every old commune goes wholly to
 * one new commune, one in six is split between two.
 */
export function syntheticCountry(seed = 1): UnitCatalog {
  const rnd = random(seed);
  const units: UnitVersion[] = [];
  const add = (code: string, level: UnitVersion['level'], parentId: string | null, from: string, to: string | null): UnitVersion => {
    const u: UnitVersion = { id: `${code}@${from}`, code, name: code, fullName: code, nameEn: code, level, kind: 'synthetic', parentId, validFrom: from, validTo: to };
    units.push(u);
    return u;
  };
  const oldCommunes: UnitVersion[] = [];
  for (let p = 0; p < 63; p++) {
    const province = add(`P${p}`, 'PROVINCE', null, '2000-01-01', '2025-06-30');
    for (let d = 0; d < 11; d++) {
      const district = add(`P${p}D${d}`, 'DISTRICT', province.id, '2000-01-01', '2025-06-30');
      const n = p * 11 + d < 445 ? 15 : 14;
      for (let c = 0; c < n; c++) oldCommunes.push(add(`P${p}D${d}C${c}`, 'COMMUNE', district.id, '2000-01-01', '2025-06-30'));
    }
  }
  const newCommunes: UnitVersion[] = [];
  for (let p = 0; p < 34; p++) {
    const province = add(`N${p}`, 'PROVINCE', null, '2025-07-01', null);
    const n = p < 23 ? 98 : 97;
    for (let c = 0; c < n; c++) newCommunes.push(add(`N${p}C${c}`, 'COMMUNE', province.id, '2025-07-01', null));
  }
  const links: LineageLink[] = [];
  oldCommunes.forEach((old, i) => {
    // Old communes go, in order, to the new communes, about three to one.
    const target = Math.min(newCommunes.length - 1, Math.floor((i * newCommunes.length) / oldCommunes.length));
    if (rnd() < 1 / 6 && target + 1 < newCommunes.length) {
      links.push({ fromId: old.id, toId: newCommunes[target]!.id, share: 0.5 });
      links.push({ fromId: old.id, toId: newCommunes[target + 1]!.id, share: 0.5 });
    } else {
      links.push({ fromId: old.id, toId: newCommunes[target]!.id, share: 1 });
    }
  });
  return new UnitCatalog(units, links);
}

/**
 * Facts for a catalogue: for every commune of the old era, quarterly 2024 and 2025S1 figures of a FLOW
 * (new members) and two STOCKs (poor households, households); for every commune of the new era,
 * monthly figures from 2025-07; yearly targets for districts and provinces.
 */
export function syntheticFacts(catalog: UnitCatalog, seed = 2): FeedChange[] {
  const rnd = random(seed);
  const changes: FeedChange[] = [];
  const push = (indicator: string, unitId: string, period: string, value: number | null, target: number | null = null): void => {
    changes.push({ seq: changes.length + 1, indicator, unitId, period, value, target });
  };
  const indicators = ['PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_HOUSEHOLDS'];
  for (const u of catalog.units) {
    if (u.level === 'COMMUNE' && u.validFrom < '2025-07-01') {
      for (const period of ['2024Q1', '2024Q2', '2024Q3', '2024Q4', '2025Q1', '2025Q2']) {
        for (const indicator of indicators) push(indicator, u.id, period, Math.round(rnd() * 1000));
      }
    } else if (u.level === 'COMMUNE') {
      for (const period of ['202507', '202508', '202509', '202510', '202511', '202512']) {
        for (const indicator of indicators) push(indicator, u.id, period, Math.round(rnd() * 1000));
      }
    } else {
      for (const period of ['2024', '2025']) push('PB_NEW_MEMBERS', u.id, period, null, Math.round(rnd() * 100000));
    }
  }
  return changes;
}

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

async function time(fn: () => Promise<number>, repeat: number): Promise<{ rows: number; medianMs: number; medianCpuMs: number }> {
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
    let started = Date.now();
    await store.syncCatalog(catalog);
    const facts = syntheticFacts(catalog);
    await store.applyChanges('bench', facts, facts.length);
    log(`loaded ${catalog.units.length} unit versions and ${facts.length} facts in ${Date.now() - started} ms`);

    const newProvinces = catalog.validOn('2025-12-31', 'PROVINCE');
    const commune = catalog.validOn('2025-12-31', 'COMMUNE')[0]!;
    const oldProvince = catalog.validOn('2024-12-31', 'PROVINCE')[0]!;
    const cases: [string, AggregateRequest][] = [
      ['one commune, 2025, one indicator (baseline)', { indicators: ['PB_NEW_MEMBERS'], units: [commune.code], periods: ['2025'] }],
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
        { indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH'], units: newProvinces.map((p) => p.code), periods: ['2025S2', '2025'], totals: true },
      ],
    ];
    // One query before measuring, so that the baseline does not pay for warming up.
    await runAggregate(store, catalog, cases[0]![1]);
    const results: BenchCase[] = [];
    let baseline = 0;
    for (const [name, request] of cases) {
      const { rows, medianMs, medianCpuMs } = await time(async () => (await runAggregate(store, catalog, request)).length, repeat);
      if (!baseline) baseline = medianMs;
      const result = { name, rows, medianMs, medianCpuMs, ratio: medianMs / baseline };
      results.push(result);
      log(`${name}: ${rows} rows, median ${medianMs.toFixed(1)} ms (CPU ${medianCpuMs.toFixed(1)} ms), ${result.ratio.toFixed(1)}x baseline`);
    }
    return results;
  } finally {
    await store.close();
  }
}
