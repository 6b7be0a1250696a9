import fc from 'fast-check';
import {
  coverageOf,
  Evaluated,
  Figure,
  findIndicator,
  halfPeriod,
  Indicator,
  isValidOn,
  LineageLink,
  enclosingPeriod,
  meetsTarget,
  monthPeriod,
  monthIndex,
  parsePeriod,
  Period,
  percent,
  previousDay,
  quarterPeriod,
  ReferenceEvaluator,
  shiftYears,
  UnitCatalog,
  UnitVersion,
  yearPeriod,
} from '@lgr/schema';
import type { AggregateRequest, AggregateRow, GroupBy, Measure } from '../types';
import { unit } from './helpers';

/*
 * Random scenarios for the property tests. fast-check generates plain numbers and lists (so that it can
 * shrink them); `buildScenario` reads them as a two-era hierarchy, its lineage, figures and requests.
 */

/**
 * Indicator families: figures are generated for the indicators of a scenario's families, requests ask
 * for those indicators. Together they cover FLOW and STOCK with YEAR and TERM targets, indicators
 * without targets, and ratios of two STOCKs and of two FLOWs (with targets of their own).
 */
export const FAMILIES: readonly (readonly string[])[] = [
  ['PB_NEW_MEMBERS'], // FLOW, YEAR target
  ['SS_POOR_HH', 'SS_HOUSEHOLDS', 'SS_POOR_RATE'], // STOCK with a YEAR target, STOCK, their RATIO
  ['AR_TTHC_ONTIME', 'AR_TTHC_RESOLVED', 'AR_TTHC_ONTIME_PCT'], // FLOW, FLOW, their RATIO
  ['PB_THEMATIC_RESOLUTIONS'], // FLOW, TERM target
  ['PB_RESOLUTION_TARGETS_MET'], // STOCK, TERM target
];

const YEARS = [2018, 2019, 2020, 2021];

function periodPool(): Period[][] {
  const years = YEARS.map(yearPeriod);
  const halves = YEARS.flatMap((y) => [halfPeriod(y, 1), halfPeriod(y, 2)]);
  const quarters = YEARS.flatMap((y) => [1, 2, 3, 4].map((q) => quarterPeriod(y, q)));
  const months = YEARS.flatMap((y) => Array.from({ length: 12 }, (_, m) => monthPeriod(monthIndex(y, m + 1))));
  const terms: Period[] = [
    {
      code: '2015-2020',
      grain: 'TERM',
      startMonth: monthIndex(2015, 7),
      endMonth: monthIndex(2020, 6),
      start: '2015-07-01',
      end: '2020-06-30',
    },
    {
      code: '2020-2025',
      grain: 'TERM',
      startMonth: monthIndex(2020, 7),
      endMonth: monthIndex(2025, 6),
      start: '2020-07-01',
      end: '2025-06-30',
    },
  ];
  return [months, quarters, halves, years, terms];
}

const POOL = periodPool();

/** Figures: mostly months and quarters. Requests: mostly halves, years and terms. */
const GRAIN_WEIGHTS = {
  figure: [35, 25, 20, 12, 8],
  request: [10, 20, 25, 30, 15],
};
const grainOf = (weights: number[]) =>
  fc.oneof(...weights.map((weight, grain) => ({ arbitrary: fc.constant(grain), weight })));
const figurePeriod = fc.record({ grain: grainOf(GRAIN_WEIGHTS.figure), index: fc.nat(200) });
const requestPeriod = fc.record({ grain: grainOf(GRAIN_WEIGHTS.request), index: fc.nat(200) });
type PeriodSpec = { grain: number; index: number };

function pickPeriod(s: PeriodSpec): Period {
  const list = POOL[s.grain % POOL.length]!;
  return list[s.index % list.length]!;
}

export const scenarioArbitrary = fc.record({
  /** Months after 2019-01 at which the reorganisation takes effect (on the 1st). */
  changeMonth: fc.nat(35),
  /** Mostly the 1st; sometimes the middle of the month, which a month never splits at. */
  changeDay: fc.oneof({ arbitrary: fc.constant(1), weight: 4 }, { arbitrary: fc.constant(15), weight: 1 }),
  /** Old provinces, each a list of districts given by their number of communes (0: a district without communes). */
  oldProvinces: fc.array(fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  /** Old districts (by index, cycled) whose communes all go wholly to one new commune. */
  wholeDistricts: fc.array(fc.nat(20), { maxLength: 2 }),
  /** New provinces, by their number of communes. */
  newProvinces: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  /** Lineage of each old leaf (cycled): the new communes it goes to and their weights. */
  lineage: fc.array(
    fc.array(fc.record({ to: fc.nat(50), weight: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 }),
    { minLength: 1, maxLength: 12 },
  ),
  reuseCodes: fc.boolean(),
  families: fc.uniqueArray(fc.nat(FAMILIES.length - 1), { minLength: 1, maxLength: 3 }),
  figures: fc.array(
    fc.record({
      unit: fc.nat(200),
      indicator: fc.nat(20),
      period: figurePeriod,
      value: fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(0)), { freq: 5 }),
      target: fc.oneof(
        { arbitrary: fc.constant(null), weight: 3 },
        { arbitrary: fc.integer({ min: 0, max: 2000 }), weight: 1 },
      ),
    }),
    { minLength: 40, maxLength: 300, size: 'max' },
  ),
  requests: fc.array(
    fc.record({
      indicators: fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
      units: fc.array(fc.record({ unit: fc.nat(200), asId: fc.nat(5) }), { minLength: 1, maxLength: 3 }),
      periods: fc.array(requestPeriod, { minLength: 1, maxLength: 5 }),
      level: fc.nat(5),
      asOf: fc.option(fc.nat(3), { nil: undefined, freq: 2 }),
      groupBy: fc.nat(5),
      totals: fc.boolean(),
      measures: fc.nat(4),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

export type ScenarioSpec = typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

export interface Scenario {
  catalog: UnitCatalog;
  figures: Figure[];
  requests: AggregateRequest[];
  changeDate: string;
}

function iso(m: number, day = 1): string {
  const year = Math.floor(m / 12);
  return `${year}-${String((m % 12) + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const LEVELS = [undefined, 'PROVINCE', 'DISTRICT', 'COMMUNE', 'COMMUNE', 'DISTRICT'] as const;
const GROUP_BYS: (GroupBy[] | undefined)[] = [
  undefined,
  ['INDICATOR', 'UNIT', 'PERIOD', 'TERM'],
  ['INDICATOR', 'UNIT', 'TERM'],
  ['INDICATOR', 'PERIOD'],
  undefined,
  ['INDICATOR', 'TERM'],
];

const MEASURES: (Measure[] | undefined)[] = [
  undefined,
  ['VALUE'],
  ['VALUE', 'SAME_PERIOD'],
  ['TARGET', 'VALUE'],
  undefined,
];

/** Reads a generated spec as a catalogue (pre-reform provinces, districts, communes; post-reform provinces, communes), figures and requests. */
export function buildScenario(spec: ScenarioSpec): Scenario {
  const change = monthIndex(2019, 1) + spec.changeMonth;
  const changeDate = iso(change, spec.changeDay);
  const oldTo = previousDay(changeDate);
  const units: UnitVersion[] = [];
  const make = (...args: Parameters<typeof unit>): UnitVersion => {
    const u = unit(...args);
    units.push(u);
    return u;
  };
  const oldLeaves: UnitVersion[] = [];
  spec.oldProvinces.forEach((districts, i) => {
    const p = make(`A${i}`, 'PROVINCE', null, '2000-01-01', oldTo);
    districts.forEach((communes, j) => {
      const d = make(`A${i}${j}`, 'DISTRICT', p.id, '2000-01-01', oldTo);
      if (communes === 0) oldLeaves.push(d);
      for (let k = 0; k < communes; k++) oldLeaves.push(make(`A${i}${j}${k}`, 'COMMUNE', d.id, '2000-01-01', oldTo));
    });
  });
  const newCommuneSlots: { province: number; index: number }[] = [];
  spec.newProvinces.forEach((n, i) => {
    for (let k = 0; k < n; k++) newCommuneSlots.push({ province: i, index: k });
  });
  // Lineage first, so that a new commune can reuse the code of one of its predecessors.
  const linkTargets = oldLeaves.map((_, li) => {
    const entries = spec.lineage[li % spec.lineage.length]!;
    const byTarget = new Map<number, number>();
    for (const e of entries) {
      const t = e.to % newCommuneSlots.length;
      byTarget.set(t, (byTarget.get(t) ?? 0) + e.weight);
    }
    return byTarget;
  });
  const districts = units.filter((u) => u.level === 'DISTRICT');
  for (const d of spec.wholeDistricts) {
    const district = districts[d % districts.length]!;
    const target = d % newCommuneSlots.length;
    oldLeaves.forEach((leaf, li) => {
      if (leaf.parentId === district.id || leaf.id === district.id) linkTargets[li] = new Map([[target, 1]]);
    });
  }
  const newProvinces = spec.newProvinces.map((_, i) =>
    make(spec.reuseCodes && i < spec.oldProvinces.length ? `A${i}` : `B${i}`, 'PROVINCE', null, changeDate, null),
  );
  const usedCodes = new Set<string>();
  const newCommunes = newCommuneSlots.map((slot, t) => {
    let code = `B${slot.province}_${slot.index}`;
    if (spec.reuseCodes) {
      const predecessor = oldLeaves.find(
        (leaf, li) => linkTargets[li]!.has(t) && leaf.level === 'COMMUNE' && !usedCodes.has(leaf.code),
      );
      if (predecessor) code = predecessor.code;
    }
    usedCodes.add(code);
    return make(code, 'COMMUNE', newProvinces[slot.province]!.id, changeDate, null);
  });
  const links: LineageLink[] = [];
  oldLeaves.forEach((leaf, li) => {
    const byTarget = linkTargets[li]!;
    const total = [...byTarget.values()].reduce((s, w) => s + w, 0);
    for (const [t, w] of byTarget)
      links.push({ fromId: leaf.id, toId: newCommunes[t]!.id, share: byTarget.size === 1 ? 1 : w / total });
  });
  const catalog = new UnitCatalog(units, links);

  const indicators = spec.families.flatMap((f) => FAMILIES[f]!);
  const figures: Figure[] = spec.figures.map((f) => ({
    indicator: indicators[f.indicator % indicators.length]!,
    unitId: units[f.unit % units.length]!.id,
    period: pickPeriod(f.period).code,
    value: f.value ?? null,
    target: f.target,
  }));

  const dates = [changeDate, oldTo, '2019-06-30', '2022-12-31'];
  const requests: AggregateRequest[] = spec.requests.map((r) => {
    const req: AggregateRequest = {
      indicators: r.indicators.map((i) => indicators[i % indicators.length]!),
      units: r.units.map((u) => {
        const unit = units[u.unit % units.length]!;
        return u.asId > 0 ? unit.id : unit.code;
      }),
      periods: r.periods.map((p) => pickPeriod(p).code),
    };
    const level = LEVELS[r.level];
    if (level) req.level = level;
    if (r.asOf !== undefined) req.boundariesAsOf = dates[r.asOf]!;
    const groupBy = GROUP_BYS[r.groupBy];
    if (groupBy) req.groupBy = groupBy;
    if (r.totals) req.totals = true;
    const measures = MEASURES[r.measures];
    if (measures) req.measures = measures;
    return req;
  });
  return { catalog, figures, requests, changeDate };
}

function sumN(values: readonly (number | null)[]): number | null {
  let s: number | null = null;
  for (const v of values) if (v !== null) s = (s ?? 0) + v;
  return s;
}

/** Members' evaluations summed: values (null when none has one) and rule-9 weights. */
function summed(parts: readonly Evaluated[]): Evaluated {
  return {
    value: sumN(parts.map((p) => p.value)),
    intact: parts.every((p) => p.intact),
    expected: parts.reduce((s, p) => s + p.expected, 0),
    reported: parts.reduce((s, p) => s + p.reported, 0),
  };
}

type Checked = Pick<
  AggregateRow,
  'value' | 'target' | 'achievementPct' | 'samePeriodValue' | 'samePeriodPct' | 'complete' | 'coverage' | 'targetMet'
>;

/**
 * What a totals row should hold, from the evaluator's numbers for the members of the group: FLOW and
 * STOCK values, targets, year-to-date and same-period values and their rule-9 weights summed; ratios
 * from summed numerators and denominators, covered as the less covered side; a ratio's target is the
 * requested unit's own.
 */
export function expectedTotal(
  evaluator: ReferenceEvaluator,
  row: AggregateRow,
  members: readonly UnitVersion[],
  periods: readonly Period[],
): Checked {
  const indicator = findIndicator(row.indicator)!;
  const span = { startMonth: periods[0]!.startMonth, endMonth: periods[periods.length - 1]!.endMonth };
  const tp = indicator.targetGrain ? enclosingPeriod(span, indicator.targetGrain) : undefined;
  const shifted = periods.map((p) => shiftYears(p, -1));
  const over = (ind: Indicator) => ({
    value: summed(members.map((m) => evaluator.measureOver(ind, m.id, periods))),
    same: summed(members.map((m) => evaluator.measureOver(ind, m.id, shifted))),
    ytd: tp ? summed(members.map((m) => evaluator.yearToDateOf(ind, m.id, periods, tp))) : undefined,
  });
  const ratio = (n: Evaluated, d: Evaluated) => ({
    value: percent(n.value, d.value),
    coverage: Math.min(coverageOf(n), coverageOf(d)),
  });
  let value: { value: number | null; coverage: number };
  let same: typeof value;
  let ytd: typeof value | undefined;
  let target: { value: number | null; coverage: number } | undefined;
  let intact: boolean;
  if (indicator.rule === 'RATIO') {
    const n = over(findIndicator(indicator.numerator!)!);
    const d = over(findIndicator(indicator.denominator!)!);
    value = ratio(n.value, d.value);
    same = ratio(n.same, d.same);
    ytd = n.ytd && d.ytd ? ratio(n.ytd, d.ytd) : undefined;
    intact = n.value.intact && d.value.intact;
    if (tp) {
      const own = evaluator.targetNode(indicator, row.unitId, tp);
      target = { value: own.value, coverage: coverageOf(own) };
    }
  } else {
    const s = over(indicator);
    value = { value: s.value.value, coverage: coverageOf(s.value) };
    same = { value: s.same.value, coverage: coverageOf(s.same) };
    ytd = s.ytd ? { value: s.ytd.value, coverage: coverageOf(s.ytd) } : undefined;
    intact = s.value.intact;
    if (tp) {
      const t = summed(members.map((m) => evaluator.targetNode(indicator, m.id, tp)));
      target = { value: t.value, coverage: coverageOf(t) };
    }
  }
  const targetValue = target?.value ?? null;
  return {
    value: value.value,
    target: targetValue,
    achievementPct: percent(ytd?.value ?? null, targetValue),
    samePeriodValue: same.value,
    samePeriodPct: percent(value.value, same.value),
    complete: intact && value.coverage >= 1 - 1e-9,
    coverage: {
      value: value.coverage,
      target: target?.coverage ?? 0,
      yearToDate: ytd?.coverage ?? 0,
      samePeriod: same.coverage,
    },
    targetMet: meetsTarget(indicator.direction, ytd?.value ?? null, targetValue),
  };
}

/** The row periods of a request: each period, or by term the requested periods inside each term. */
function rowPeriodsOf(request: AggregateRequest, groupBy: ReadonlySet<string>): { label: Period; parts: Period[] }[] {
  const periods = [...new Set(request.periods!)].map((code) => parsePeriod(code));
  if (!groupBy.has('TERM') || groupBy.has('PERIOD')) return periods.map((p) => ({ label: p, parts: [p] }));
  const terms = new Map<string, { label: Period; parts: Period[] }>();
  for (const p of periods) {
    const term = enclosingPeriod(p, 'TERM');
    if (!term) continue;
    const entry = terms.get(term.code) ?? { label: term, parts: [] };
    terms.set(term.code, entry);
    entry.parts.push(p);
  }
  // Of overlapping requested periods, the largest stands.
  for (const entry of terms.values()) {
    entry.parts = entry.parts
      .filter(
        (p, i, all) =>
          !all.some(
            (q, j) =>
              j !== i &&
              q.startMonth <= p.startMonth &&
              p.endMonth <= q.endMonth &&
              (q.endMonth - q.startMonth > p.endMonth - p.startMonth || j < i),
          ),
      )
      .sort((a, b) => a.startMonth - b.startMonth);
  }
  return [...terms.values()].sort((a, b) => a.label.startMonth - b.label.startMonth);
}

/** The version a code stands for on a date: the one valid then, else the nearest (last before, else first after). */
function versionOn(catalog: UnitCatalog, ref: string, date: string): { unit: UnitVersion; resolved: boolean } {
  if (ref.includes('@')) return { unit: catalog.get(ref)!, resolved: true };
  const valid = catalog.resolve(ref, date);
  if (valid) return { unit: valid, resolved: true };
  const versions = catalog.versionsOf(ref);
  const before = versions.filter((v) => v.validFrom <= date);
  return { unit: before[before.length - 1] ?? versions[0]!, resolved: false };
}

/**
 * The rows a request should return, in order, as `indicator|unitId|period|total` keys, worked out
 * from the request's documented semantics (not from the planner).
 */
export function expectedRowKeys(catalog: UnitCatalog, request: AggregateRequest): string[] {
  const groupBy = new Set(request.groupBy ?? ['INDICATOR', 'UNIT', 'PERIOD']);
  const rowPeriods = rowPeriodsOf(request, groupBy);
  const byUnit = groupBy.has('UNIT');
  const totals = Boolean(request.totals) || !byUnit;
  const keys: string[] = [];
  for (const indicator of [...new Set(request.indicators)]) {
    for (const ref of [...new Set(request.units)]) {
      const cells: { unit: UnitVersion; pi: number }[] = [];
      const groups: string[] = [];
      rowPeriods.forEach((rp, pi) => {
        const date = request.boundariesAsOf ?? rp.parts[rp.parts.length - 1]!.end;
        const { unit, resolved } = versionOn(catalog, ref, date);
        const members = resolved ? groupMembers(catalog, unit.id, request.level, date) : [unit];
        for (const member of members) cells.push({ unit: member, pi });
        groups.push(`${indicator}|${unit.id}|${rp.label.code}|total`);
      });
      cells.sort((a, b) =>
        a.unit.code !== b.unit.code
          ? a.unit.code < b.unit.code
            ? -1
            : 1
          : a.unit.id !== b.unit.id
            ? a.unit.id < b.unit.id
              ? -1
              : 1
            : a.pi - b.pi,
      );
      if (byUnit) keys.push(...cells.map((c) => `${indicator}|${c.unit.id}|${rowPeriods[c.pi]!.label.code}|row`));
      if (totals) keys.push(...groups);
    }
  }
  return keys;
}

/** The members of a totals group: the requested unit, or its units at `level` valid on the date. */
export function groupMembers(
  catalog: UnitCatalog,
  unitId: string,
  level: string | undefined,
  date: string,
): UnitVersion[] {
  if (!level) return [catalog.get(unitId)!];
  return catalog.subtree(unitId).filter((u) => u.level === level && (u.id === unitId || isValidOn(u, date)));
}
