import { Domain, findIndicator, UnitCatalog, UnitVersion } from '@lgr/schema';
import { observationKey, ValidRow } from '../validation';
import { apportion, between, SYNTHETIC_SEED } from './random';

/**
 * SYNTHETIC DEMO DATA. Everything in this module is generated from a fixed seed: plausible in size,
 * trend and relation between indicators, but NOT real figures of any unit. It exists so that rollups,
 * period arithmetic and the 2025 boundary change have something realistic to work on.
 */
export const SYNTHETIC_LABEL = 'SYNTHETIC: generated with a fixed-seed generator for demonstration; not real figures';

/** The territory of today's Hải Phòng: old Hải Phòng (31) and old Hải Dương (30) until 2025-06-30, new Hải Phòng after. */
export interface Territory {
  readonly oldProvinces: UnitVersion[];
  readonly oldDistricts: UnitVersion[];
  /** Communes, and districts without communes (island districts), before the reform. */
  readonly oldLeaves: UnitVersion[];
  readonly newProvince: UnitVersion;
  readonly newCommunes: UnitVersion[];
}

const BEFORE_REFORM = '2025-06-30';
const AFTER_REFORM = '2025-07-01';

export function haiPhongTerritory(catalog: UnitCatalog): Territory {
  const need = (code: string, date: string): UnitVersion => {
    const u = catalog.resolve(code, date);
    if (!u)
      throw new Error(
        `The unit catalogue has no unit ${code} on ${date}; the synthetic demo data covers Hải Phòng (31) and Hải Dương (30)`,
      );
    return u;
  };
  const oldProvinces = [need('31', BEFORE_REFORM), need('30', BEFORE_REFORM)];
  const oldDistricts = oldProvinces.flatMap((p) => catalog.children(p.id));
  const oldLeaves = oldDistricts.flatMap((d) => (catalog.isLeaf(d.id) ? [d] : catalog.children(d.id)));
  const newProvince = need('31', AFTER_REFORM);
  return { oldProvinces, oldDistricts, oldLeaves, newProvince, newCommunes: catalog.children(newProvince.id) };
}

/** Half-years with figures: 2020S1..2025S1 on the old boundaries, 2025S2..2026S1 on the new ones. */
const OLD_HALVES: [number, 1 | 2][] = [];
for (let y = 2020; y <= 2025; y++) for (const h of [1, 2] as const) if (y < 2025 || h === 1) OLD_HALVES.push([y, h]);
const NEW_HALVES: [number, 1 | 2][] = [
  [2025, 2],
  [2026, 1],
];
const OLD_YEARS = [2020, 2021, 2022, 2023, 2024, 2025];
const NEW_YEARS = [2025, 2026];

type Figures = Record<string, number>;

/** Context of one unit for one period: its size (population) and a noise source keyed by indicator. */
interface At {
  readonly unit: UnitVersion;
  readonly pop: number;
  readonly year: number;
  readonly half: 1 | 2;
  /** Whether the unit is a new (post-reform) commune, which also records the former district-level figures. */
  readonly reformed: boolean;
  noise(indicator: string, low: number, high: number): number;
}

/** Steady growth of money amounts, with the 2021 dip. */
function growth(year: number): number {
  return Math.pow(1.07, year - 2020) * (year === 2021 ? 0.9 : 1);
}

function halfIndex(year: number, half: number): number {
  return (year - 2020) * 2 + (half - 1);
}

const round = Math.round;
const round100 = (x: number): number => Math.round(x / 100) * 100;

/**
 * The generators of each domain: `leafHalf`/`leafYear` give half-year figures and yearly targets of
 * communes (before and after the reform); `districtHalf`/`districtYear` those recorded by districts
 * before the reform and, once districts are gone, by the new communes.
 */
interface DomainGenerator {
  leafHalf(at: At): Figures;
  leafYear(at: At): Figures;
  districtHalf(at: At): Figures;
  districtYear(at: At): Figures;
}

const PARTY: DomainGenerator = {
  leafHalf(at) {
    const t = halfIndex(at.year, at.half);
    const out: Figures = {
      PB_MEMBERS_TOTAL: round(at.pop * 0.05 * (1 + 0.012 * t) * at.noise('PB_MEMBERS_TOTAL', 0.99, 1.01)),
      PB_NEW_MEMBERS: round(at.pop * 0.0011 * at.noise('PB_NEW_MEMBERS', 0.6, 1.4)),
    };
    // Organisations are rated once a year, at its end.
    if (at.half === 2) {
      const rated = 2 + round((at.pop / 1500) * at.noise('PB_ORGS_RATED', 0.9, 1.1));
      out.PB_ORGS_RATED = rated;
      out.PB_ORGS_RATED_GOOD = round(rated * at.noise('PB_ORGS_RATED_GOOD', 0.72, 0.96));
    }
    return out;
  },
  leafYear(at) {
    return { PB_NEW_MEMBERS: Math.max(1, round(at.pop * 0.0022 * at.noise('PB_NEW_MEMBERS:target', 0.95, 1.2))) };
  },
  districtHalf(at) {
    const big = at.pop > 40_000;
    const out: Figures = {
      PB_ORGS_ESTABLISHED: Math.floor(at.noise('PB_ORGS_ESTABLISHED', 0, big ? 3.5 : 1.6)),
      PB_INSPECTIONS: Math.max(1, round((at.pop / 8000) * at.noise('PB_INSPECTIONS', 0.7, 1.3))),
    };
    // Congresses for a new term are held in the year before it starts: districts in mid-2020, the
    // new communes in the second half of 2025.
    if (!at.reformed && at.year === 2020 && at.half === 2) out.PB_CONGRESSES_HELD = 1;
    if (at.reformed && at.year === 2025 && at.half === 2) out.PB_CONGRESSES_HELD = 1;
    return out;
  },
  districtYear(at) {
    const big = at.pop > 40_000;
    const out: Figures = {
      PB_ORGS_ESTABLISHED: Math.max(1, round(at.noise('PB_ORGS_ESTABLISHED:target', big ? 2 : 0.6, big ? 5 : 1.6))),
      PB_INSPECTIONS: Math.max(2, round((at.pop / 4000) * at.noise('PB_INSPECTIONS:target', 0.9, 1.1))),
      PB_ORG_RATED_GOOD_PCT: round(at.noise('PB_ORG_RATED_GOOD_PCT:target', 80, 90)),
    };
    if ((!at.reformed && at.year === 2020) || (at.reformed && at.year === 2025)) out.PB_CONGRESSES_HELD = 1;
    return out;
  },
};

const ECONOMY: DomainGenerator = {
  leafHalf(at) {
    const budget = round(
      at.pop * 2.6 * growth(at.year) * at.noise('EB_BUDGET_REV', 0.75, 1.3) * (at.half === 2 ? 1.15 : 1),
    );
    const received = round(at.pop * 0.035 * at.noise('AR_TTHC_RECEIVED', 0.8, 1.2));
    const resolved = round(received * at.noise('AR_TTHC_RESOLVED', 0.93, 0.99));
    const onlineShare = Math.min(0.95, (0.15 + 0.11 * (at.year - 2020)) * at.noise('DX_ONLINE_APPL', 0.9, 1.1));
    return {
      EB_BUDGET_REV: budget,
      EB_NONSTATE_TAX: round(budget * at.noise('EB_NONSTATE_TAX', 0.15, 0.25)),
      AR_TTHC_RECEIVED: received,
      AR_TTHC_RESOLVED: resolved,
      AR_TTHC_ONTIME: round(resolved * at.noise('AR_TTHC_ONTIME', 0.88, 0.995)),
      DX_ONLINE_APPL: Math.min(received, round(received * onlineShare)),
    };
  },
  leafYear(at) {
    const budget = Math.max(
      100,
      round100(at.pop * 2.6 * growth(at.year) * 2.15 * at.noise('EB_BUDGET_REV:target', 0.9, 1.05)),
    );
    return {
      EB_BUDGET_REV: budget,
      EB_NONSTATE_TAX: Math.max(100, round100(budget * at.noise('EB_NONSTATE_TAX:target', 0.17, 0.22))),
    };
  },
  districtHalf(at) {
    return { EB_LAND_REV: round(at.pop * 1.8 * growth(at.year) * at.noise('EB_LAND_REV', 0.3, 1.7)) };
  },
  districtYear(at) {
    return {
      EB_LAND_REV: Math.max(100, round100(at.pop * 3.6 * growth(at.year) * at.noise('EB_LAND_REV:target', 0.8, 1.1))),
      AR_TTHC_ONTIME_PCT: 95 + Math.floor(at.noise('AR_TTHC_ONTIME_PCT:target', 0, 5)),
      DX_ONLINE_APPL_PCT: Math.min(95, 30 + 10 * (at.year - 2020)),
    };
  },
};

function households(at: At): number {
  return round(at.pop / at.noise('SS_HOUSEHOLDS:size', 3.3, 3.9));
}

function poorRate(at: At): number {
  return Math.max(0.001, (0.028 - 0.004 * (at.year - 2020)) * at.noise('SS_POOR_HH:rate', 0.5, 1.5));
}

function nearPoorRate(at: At): number {
  return Math.max(0, (0.035 - 0.006 * (at.year - 2020)) * at.noise('SS_NEAR_POOR_HH:rate', 0.5, 1.5));
}

/** The yearly recruitment quota of a district (before the reform) or a new commune. */
function recruitQuota(at: At): number {
  // Keyed by the year, not the half, so the half-year figure and the yearly target see the same quota.
  return Math.max(1, round((at.pop / 1900) * between(`DF_MIL_RECRUITS:quota|${at.unit.id}|${at.year}`, 0.9, 1.1)));
}

const SOCIAL: DomainGenerator = {
  leafHalf(at) {
    const t = halfIndex(at.year, at.half);
    const population = round(at.pop * (1 + 0.004 * t));
    const hh = households(at);
    return {
      SS_POPULATION: population,
      SS_HOUSEHOLDS: hh,
      SS_POOR_HH: round(hh * poorRate(at)),
      SS_NEAR_POOR_HH: round(hh * nearPoorRate(at)),
      SS_HI_INSURED: round(
        population * Math.min(0.99, 0.86 + 0.015 * (at.year - 2020) + at.noise('SS_HI_INSURED', -0.02, 0.02)),
      ),
      SS_JOBS_CREATED: round(population * 0.004 * at.noise('SS_JOBS_CREATED', 0.7, 1.3)),
    };
  },
  leafYear(at) {
    const hh = households(at);
    return {
      SS_POOR_HH: round(hh * poorRate(at) * 0.85),
      SS_NEAR_POOR_HH: round(hh * nearPoorRate(at) * 0.85),
      SS_HI_INSURED: round(at.pop * Math.min(0.98, 0.9 + 0.015 * (at.year - 2020))),
      SS_JOBS_CREATED: Math.max(1, round(at.pop * 0.008 * at.noise('SS_JOBS_CREATED:target', 0.9, 1.1))),
    };
  },
  districtHalf(at) {
    const cases = round((at.pop / 6000) * at.noise('DF_CRIME_CASES', 0.6, 1.4));
    const out: Figures = {
      DF_CRIME_CASES: cases,
      DF_CRIME_SOLVED: round(cases * at.noise('DF_CRIME_SOLVED', 0.75, 0.95)),
      DF_TRAFFIC_ACC: round((at.pop / 15000) * at.noise('DF_TRAFFIC_ACC', 0.5, 1.5)),
    };
    // Conscripts are delivered once a year, in February; the second half records none.
    const quota = recruitQuota(at);
    out.DF_MIL_RECRUITS = at.half === 2 ? 0 : at.noise('DF_MIL_RECRUITS:short', 0, 1) < 0.1 ? quota - 1 : quota;
    return out;
  },
  districtYear(at) {
    const out: Figures = { DF_CRIME_SOLVED_PCT: 80 + Math.floor(at.noise('DF_CRIME_SOLVED_PCT:target', 0, 8)) };
    // The 2025 call-up happened before the reform, so the new communes hold quotas from 2026 on.
    if (!at.reformed || at.year >= 2026) out.DF_MIL_RECRUITS = recruitQuota(at);
    return out;
  },
};

const GENERATORS: Record<Domain, DomainGenerator> = { PARTY, ECONOMY, SOCIAL };

/** Extra term figures of the old districts: Congress-resolution targets met and thematic resolutions, 2020-2025. */
function districtTermFigures(
  unit: UnitVersion,
  pop: number,
): { targetsMet: number; targets: number; thematic: number } {
  const targets = 14 + Math.floor(between(`PB_RESOLUTION_TARGETS_MET:count|${unit.id}`, 0, 5));
  const missed = Math.floor(between(`PB_RESOLUTION_TARGETS_MET:missed|${unit.id}`, 0, 3.2));
  return {
    targets,
    targetsMet: targets - missed,
    thematic: 1 + Math.floor(between(`PB_THEMATIC_RESOLUTIONS|${unit.id}`, 0, pop > 100_000 ? 4 : 3)),
  };
}

/** Population of the old leaves (generated) and of the new communes (their predecessors' shares). */
function populations(catalog: UnitCatalog, t: Territory): Map<string, number> {
  const pop = new Map<string, number>();
  for (const u of t.oldLeaves)
    pop.set(
      u.id,
      round(
        between(`population|${u.id}`, u.level === 'DISTRICT' ? 1000 : 4000, u.level === 'DISTRICT' ? 3000 : 22_000),
      ),
    );
  for (const d of t.oldDistricts) {
    if (!pop.has(d.id))
      pop.set(
        d.id,
        catalog.children(d.id).reduce((s, c) => s + pop.get(c.id)!, 0),
      );
  }
  for (const c of t.newCommunes) {
    const links = catalog.linksInto(c.id);
    const fromOld = links.reduce((s, l) => s + (pop.get(l.fromId) ?? 0) * l.share, 0);
    pop.set(c.id, round(fromOld > 0 ? fromOld : between(`population|${c.id}`, 8000, 40_000)));
  }
  return pop;
}

/** A figure of the report for one key; the synthetic rows make room for it (and add up to it). */
export interface Anchor {
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
}

export type SyntheticRow = Omit<ValidRow, 'index'>;

/**
 * The synthetic figures and targets of one domain for today's Hải Phòng, 2020S1 to 2026S1, each on
 * the boundaries valid in its period. Nothing is recorded for a province, so a city total is always
 * the sum of its parts. `anchors` are the report's figures: their keys are left out, and where the
 * report gives a district's figure that the synthetic data records for its communes, the communes'
 * figures for that period are scaled to add up to the report's number.
 */
export function generateSyntheticObservations(
  catalog: UnitCatalog,
  domain: Domain,
  anchors: readonly Anchor[] = [],
): SyntheticRow[] {
  const generator = GENERATORS[domain];
  const territory = haiPhongTerritory(catalog);
  const pop = populations(catalog, territory);
  const rows = new Map<string, SyntheticRow>();
  const put = (indicator: string, unitId: string, period: string, field: 'value' | 'target', amount: number): void => {
    const info = findIndicator(indicator);
    if (!info || info.domain !== domain) return;
    const key = observationKey({ indicator, unitId, period });
    const row = rows.get(key) ?? { indicator, unitId, period, value: null, target: null };
    rows.set(key, { ...row, [field]: amount });
  };
  const at = (unit: UnitVersion, year: number, half: 1 | 2, reformed: boolean): At => ({
    unit,
    pop: pop.get(unit.id)!,
    year,
    half,
    reformed,
    noise: (indicator, low, high) => between(`${indicator}|${unit.id}|${year}S${half}`, low, high, SYNTHETIC_SEED),
  });
  const yearAt = (unit: UnitVersion, year: number, reformed: boolean): At => ({
    ...at(unit, year, 1, reformed),
    noise: (indicator, low, high) => between(`${indicator}|${unit.id}|${year}`, low, high, SYNTHETIC_SEED),
  });
  const emit = (unit: UnitVersion, figures: Figures, period: string, field: 'value' | 'target'): void => {
    for (const [indicator, amount] of Object.entries(figures)) put(indicator, unit.id, period, field, amount);
  };

  for (const leaf of territory.oldLeaves) {
    for (const [y, h] of OLD_HALVES) emit(leaf, generator.leafHalf(at(leaf, y, h, false)), `${y}S${h}`, 'value');
    for (const y of OLD_YEARS) emit(leaf, generator.leafYear(yearAt(leaf, y, false)), String(y), 'target');
  }
  for (const district of territory.oldDistricts) {
    for (const [y, h] of OLD_HALVES)
      emit(district, generator.districtHalf(at(district, y, h, false)), `${y}S${h}`, 'value');
    for (const y of OLD_YEARS) emit(district, generator.districtYear(yearAt(district, y, false)), String(y), 'target');
    if (domain === 'PARTY') {
      const term = districtTermFigures(district, pop.get(district.id)!);
      put('PB_RESOLUTION_TARGETS_MET', district.id, '2020-2025', 'value', term.targetsMet);
      put('PB_RESOLUTION_TARGETS_MET', district.id, '2020-2025', 'target', term.targets);
      put('PB_THEMATIC_RESOLUTIONS', district.id, '2020-2025', 'value', term.thematic);
    }
  }
  for (const commune of territory.newCommunes) {
    for (const [y, h] of NEW_HALVES) {
      emit(commune, generator.leafHalf(at(commune, y, h, true)), `${y}S${h}`, 'value');
      emit(commune, generator.districtHalf(at(commune, y, h, true)), `${y}S${h}`, 'value');
    }
    for (const y of NEW_YEARS) {
      emit(commune, generator.leafYear(yearAt(commune, y, true)), String(y), 'target');
      emit(commune, generator.districtYear(yearAt(commune, y, true)), String(y), 'target');
    }
  }

  for (const anchor of anchors) {
    rows.delete(observationKey(anchor));
    const children = catalog.children(anchor.unitId);
    for (const field of ['value', 'target'] as const) {
      const total = anchor[field];
      if (total === null) continue;
      const parts = children
        .map((c) => rows.get(observationKey({ indicator: anchor.indicator, unitId: c.id, period: anchor.period })))
        .filter((r): r is SyntheticRow => !!r && r[field] !== null);
      if (!parts.length || !Number.isInteger(total)) continue;
      apportion(
        total,
        parts.map((r) => r[field]!),
      ).forEach((amount, i) => {
        const r = parts[i]!;
        rows.set(observationKey(r), { ...r, [field]: amount });
      });
    }
  }
  return [...rows.values()];
}
