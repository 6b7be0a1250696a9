import {
  DEFAULT_TERMS,
  GRAINS,
  INDICATORS,
  monthEndDate,
  monthOf,
  monthSources,
  monthStartDate,
  parseIsoDate,
  periodContaining,
  periodsInRange,
  Term,
  termPeriod,
  UnitCatalog,
  UnitDataError,
  UnitVersion,
  yearOfMonth,
  yearPeriod,
} from '@lgr/schema';

/** A row for the appender: values in the table's column order. */
export type Row = (string | number | boolean | bigint | null)[];

/** The rows `syncCatalog` writes, one list per table. */
export interface CatalogRows {
  readonly units: Row[];
  readonly closure: Row[];
  readonly lineage: Row[];
  readonly contributions: Row[];
  readonly monthSources: Row[];
}

/**
 * The first month that starts on or after `date`: a period that starts before this month starts
 * before the date (DESIGN 3 rule 4 splits such a period at the unit's level).
 */
export function firstWholeMonth(date: string): number {
  const d = parseIsoDate(date);
  if (!d) throw new UnitDataError(`Expected a date as YYYY-MM-DD, got "${date}"`);
  return monthOf(date) + (d.day > 1 ? 1 : 0);
}

/**
 * The order in which units' values can be computed: a unit's figures for a time before it existed come
 * from older units (DESIGN 3 rule 4), so every unit of a tree (a root and everything below it) gets a
 * stage one higher than the trees its members draw on. Units of one stage never depend on each other
 * across trees, so the engine computes a stage at a time.
 */
export function unitStages(catalog: UnitCatalog): ReadonlyMap<string, number> {
  let stages = stagesCache.get(catalog);
  if (!stages) stagesCache.set(catalog, (stages = computeStages(catalog)));
  return stages;
}

// Stages are asked for by every sync of a catalogue and by the engine for every query.
const stagesCache = new WeakMap<UnitCatalog, Map<string, number>>();

function computeStages(catalog: UnitCatalog): Map<string, number> {
  const rootOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  const findRoot = (u: UnitVersion): string => {
    let root = rootOf.get(u.id);
    if (root === undefined) {
      root = u.parentId ? findRoot(catalog.get(u.parentId)!) : u.id;
      rootOf.set(u.id, root);
    }
    return root;
  };
  for (const u of catalog.units) {
    const root = findRoot(u);
    const list = members.get(root);
    if (list) list.push(u.id);
    else members.set(root, [u.id]);
  }
  const treeStage = new Map<string, number>();
  const visiting = new Set<string>();
  const stageOf = (root: string): number => {
    const known = treeStage.get(root);
    if (known !== undefined) return known;
    if (visiting.has(root)) throw new UnitDataError(`Lineage of ${root} leads back to itself`);
    visiting.add(root);
    let stage = 0;
    for (const id of members.get(root) ?? []) {
      const c = catalog.contributions(id);
      const from = [...c.whole, ...c.shares.map((s) => s.id), ...c.partial];
      for (const other of from) {
        const otherRoot = rootOf.get(other)!;
        if (otherRoot !== root) stage = Math.max(stage, stageOf(otherRoot) + 1);
      }
    }
    visiting.delete(root);
    treeStage.set(root, stage);
    return stage;
  };
  const out = new Map<string, number>();
  for (const u of catalog.units) out.set(u.id, stageOf(rootOf.get(u.id)!));
  return out;
}

/** The unit, closure, lineage and rule-4 contribution rows of a catalogue (see README.md for the columns). */
export function catalogRows(catalog: UnitCatalog): CatalogRows {
  const stages = unitStages(catalog);
  // Integer keys for the engine's joins: a unit's position in the catalogue.
  const uid = new Map(catalog.units.map((u, i) => [u.id, i]));
  const units: Row[] = [];
  const closure: Row[] = [];
  const contributions: Row[] = [];
  const monthSourceRows: Row[] = [];
  for (const u of catalog.units) {
    const ancestors = catalog.ancestors(u.id);
    units.push([
      uid.get(u.id)!,
      u.id,
      u.code,
      u.name,
      u.fullName,
      u.nameEn,
      u.level,
      u.kind,
      u.parentId,
      u.validFrom,
      u.validTo,
      ancestors.length,
      stages.get(u.id)!,
      monthOf(u.validFrom),
      firstWholeMonth(u.validFrom),
    ]);
    const self = uid.get(u.id)!;
    closure.push([u.id, u.id, 0, self, self]);
    ancestors.forEach((a, i) => closure.push([a.id, u.id, i + 1, uid.get(a.id)!, self]));
    const c = catalog.contributions(u.id);
    for (const id of c.whole) contributions.push([u.id, id, 'WHOLE', 1, self, uid.get(id)!]);
    for (const s of c.shares) contributions.push([u.id, s.id, 'SHARE', s.share, self, uid.get(s.id)!]);
    for (const id of c.partial) contributions.push([u.id, id, 'PARTIAL', null, self, uid.get(id)!]);
    for (const s of monthSources(catalog, u.id))
      monthSourceRows.push([self, s.unitId, s.fromMonth, s.toMonth, s.share, s.kind]);
  }
  const lineage: Row[] = catalog.links.map((l) => [l.fromId, l.toId, l.share]);
  return { units, closure, lineage, contributions, monthSources: monthSourceRows };
}

/**
 * Every calendar period and term from `firstYear` to `lastYear`, for analysts to join facts with (the
 * engine plans its own periods). `term` is the term that contains the period, when one does.
 */
export function calendarRows(firstYear = 1990, lastYear = 2050, terms: readonly Term[] = DEFAULT_TERMS): Row[] {
  const rows: Row[] = [];
  const from = yearPeriod(firstYear);
  const to = yearPeriod(lastYear);
  for (const grain of GRAINS) {
    const periods = grain === 'TERM' ? terms.map(termPeriod) : periodsInRange(from, to, grain, terms);
    for (const p of periods) {
      const term = grain === 'TERM' ? p.code : periodContaining(p.startMonth, 'TERM', terms);
      const termCode = typeof term === 'string' ? term : term && term.endMonth >= p.endMonth ? term.code : null;
      rows.push([
        p.code,
        p.grain,
        p.startMonth,
        p.endMonth,
        monthStartDate(p.startMonth),
        monthEndDate(p.endMonth),
        grain === 'TERM' ? null : yearOfMonth(p.startMonth),
        termCode,
      ]);
    }
  }
  return rows;
}

/** The indicator catalogue's rows. */
export function indicatorRows(): Row[] {
  return INDICATORS.map((i) => [
    i.code,
    i.nameVi,
    i.nameEn,
    i.domain,
    i.measure,
    i.rule,
    i.numerator ?? null,
    i.denominator ?? null,
    i.targetGrain ?? null,
  ]);
}
