import { LineageLink, UnitCatalog, UnitVersion } from '@lgr/schema';
import type { FeedChange } from '@lgr/analytics/dist/store';

/*
 * Synthetic data shaped like the country's, for the aggregate benchmark and the country-sized tests.
 * Every run draws the same numbers, so that runs measure and check the same data.
 */

/** Deterministic pseudo-random numbers (mulberry32), so that every run measures the same data. */
export function random(seed: number): () => number {
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
  const add = (
    code: string,
    level: UnitVersion['level'],
    parentId: string | null,
    from: string,
    to: string | null,
  ): UnitVersion => {
    const u: UnitVersion = {
      id: `${code}@${from}`,
      code,
      name: code,
      fullName: code,
      nameEn: code,
      level,
      kind: 'synthetic',
      parentId,
      validFrom: from,
      validTo: to,
    };
    units.push(u);
    return u;
  };
  const oldCommunes: UnitVersion[] = [];
  for (let p = 0; p < 63; p++) {
    const province = add(`P${p}`, 'PROVINCE', null, '2000-01-01', '2025-06-30');
    for (let d = 0; d < 11; d++) {
      const district = add(`P${p}D${d}`, 'DISTRICT', province.id, '2000-01-01', '2025-06-30');
      const n = p * 11 + d < 445 ? 15 : 14;
      for (let c = 0; c < n; c++)
        oldCommunes.push(add(`P${p}D${d}C${c}`, 'COMMUNE', district.id, '2000-01-01', '2025-06-30'));
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
  const push = (
    indicator: string,
    unitId: string,
    period: string,
    value: number | null,
    target: number | null = null,
  ): void => {
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
