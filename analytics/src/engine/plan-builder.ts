import {
  Contributions,
  decomposeSpan,
  enclosingPeriod,
  exactPeriod,
  findIndicator,
  Grain,
  Indicator,
  Measures,
  monthOf,
  MonthSpan,
  Period,
  Rule,
  shiftYears,
  subPeriods,
  UnitCatalog,
} from '@lgr/schema';
import { expectedWeight, leafWeights } from './weights';
import type {
  AggregatePlan,
  PartRole,
  PartSide,
  PlannedExpected,
  PlannedIndicator,
  PlannedPart,
  PlannedPeriod,
  PlannedRow,
  PlannedWeight,
} from './types';

/** A period of the answer: the label its rows carry and the requested periods their numbers combine. */
export interface RowPeriod {
  /** The requested period, or the term whose requested periods the row combines (groupBy TERM without PERIOD). */
  readonly label: Period;
  /** The requested periods the row's numbers are made of, in time order. */
  readonly parts: readonly Period[];
}

/** The span from the first part's start to the last part's end. */
export function spanOf(rp: RowPeriod): MonthSpan {
  return { startMonth: rp.parts[0]!.startMonth, endMonth: rp.parts[rp.parts.length - 1]!.endMonth };
}

/** The target period containing all of a row's periods (DESIGN 3 rule 5), if the indicator takes targets. */
export function targetPeriodOf(indicator: Indicator, rp: RowPeriod): Period | undefined {
  return indicator.targetGrain ? enclosingPeriod(spanOf(rp), indicator.targetGrain) : undefined;
}

/**
 * What the SQL values: a calendar period or term, or a span that is no single period (a term shifted a
 * year back, a year to date). A span is valued like a period ("Terms, in detail"): it has no figure of
 * its own and splits into its calendar decomposition. It is computed with the terms, after the years.
 */
interface ValueNode extends MonthSpan {
  readonly code: string;
  readonly grain: Grain;
  readonly parts: () => Period[];
}

function nodeOfPeriod(p: Period): ValueNode {
  return { code: p.code, grain: p.grain, startMonth: p.startMonth, endMonth: p.endMonth, parts: () => subPeriods(p) };
}

function nodeOfSpan(span: MonthSpan): ValueNode {
  const period = exactPeriod(span);
  if (period) return nodeOfPeriod(period);
  const parts = decomposeSpan(span);
  // `..` never appears in a period code, so a span never matches a recorded figure.
  return { code: `${parts[0]!.code}..${parts[parts.length - 1]!.code}`, grain: 'TERM', ...span, parts: () => parts };
}

/**
 * Collects the plan's periods (with their sub-periods), indicators and row templates, each once. Rows of
 * one indicator and row period share their parts (a template): the value, the same period a year
 * earlier and the year to date, each for a base indicator or a ratio's two sides.
 */
export class PlanBuilder {
  readonly periods: PlannedPeriod[] = [];
  readonly subs: AggregatePlan['subs'] = [];
  readonly indicators: PlannedIndicator[] = [];
  readonly parts: PlannedPart[] = [];
  private readonly periodIds = new Map<string, number>();
  private readonly indicatorIds = new Map<string, number>();
  private readonly templates = new Map<string, number>();

  /** `measures.samePeriod` decides whether rows read the same period a year earlier. */
  constructor(private readonly measures: Measures) {}

  /** The pid of a period or span; a value period brings in all its sub-periods (rule 2 splits down to months). */
  periodId(p: Period | ValueNode, as: 'value' | 'target' | 'part'): number {
    const node = 'parts' in p ? p : nodeOfPeriod(p);
    let pid = this.periodIds.get(node.code);
    if (pid === undefined) {
      pid = this.periods.length;
      this.periodIds.set(node.code, pid);
      this.periods.push({
        pid,
        code: node.code,
        grain: node.grain,
        startMonth: node.startMonth,
        endMonth: node.endMonth,
        value: false,
        target: false,
        part: false,
        parentEnd: null,
      });
    }
    const planned = this.periods[pid]!;
    if (as === 'part' && !planned.part) this.periods[pid] = { ...this.periods[pid]!, part: true };
    const flag = as === 'target' ? 'target' : 'value';
    if (!planned[flag]) {
      this.periods[pid] = { ...this.periods[pid]!, [flag]: true };
      if (flag === 'value') this.addSubPeriods(pid, node);
    }
    return pid;
  }

  private addSubPeriods(pid: number, node: ValueNode): void {
    node.parts().forEach((sub, ord) => {
      const child = this.periodId(sub, 'value');
      const c = this.periods[child]!;
      this.periods[child] = { ...c, parentEnd: Math.max(c.parentEnd ?? -Infinity, node.endMonth) };
      this.subs.push({ parent: pid, child, ord });
    });
  }

  /** The pid of a span asked for by a row: the period it is exactly, else a span node. */
  spanId(span: MonthSpan): number {
    return this.periodId(nodeOfSpan(span), 'part');
  }

  indicatorId(i: Indicator, as: 'value' | 'target'): number {
    let iid = this.indicatorIds.get(i.code);
    if (iid === undefined) {
      iid = this.indicators.length;
      this.indicatorIds.set(i.code, iid);
      this.indicators.push({ iid, code: i.code, rule: i.rule, value: false, target: false });
    }
    const planned = this.indicators[iid]!;
    if (!planned[as]) this.indicators[iid] = { ...planned, [as]: true };
    return iid;
  }

  /** The id of the parts shared by the rows of one indicator and row period. */
  templateOf(indicator: Indicator, rp: RowPeriod, tp: Period | undefined): number {
    const key = `${indicator.code}|${rp.parts.map((p) => p.code).join(',')}`;
    const known = this.templates.get(key);
    if (known !== undefined) return known;
    const templateId = this.templates.size;
    this.templates.set(key, templateId);
    const sides: [PartSide, Indicator][] =
      indicator.rule === 'RATIO'
        ? [
            ['N', findIndicator(indicator.numerator!)!],
            ['D', findIndicator(indicator.denominator!)!],
          ]
        : [['N', indicator]];
    for (const [side, base] of sides) {
      const iid = this.indicatorId(base, 'value');
      const add = (role: PartRole, pids: number[]) =>
        pids.forEach((period, ord) =>
          this.parts.push({ templateId, role, side, base: iid, rule: base.rule, period, ord }),
        );
      add(
        'VALUE',
        rp.parts.map((p) => this.periodId(p, 'part')),
      );
      // DESIGN 3 rule 6 and "Terms, in detail": a year earlier, valued by the same rules as P.
      if (this.measures.samePeriod)
        add(
          'SAME',
          rp.parts.map((p) => this.spanId(shiftYears(p, -1))),
        );
      if (tp) add('YTD', this.yearToDate(base.rule, rp, tp));
    }
    if (tp) {
      this.indicatorId(indicator, 'target');
      this.periodId(tp, 'target');
    }
    return templateId;
  }

  /**
   * DESIGN 3 rule 5: a STOCK's year to date is its value at the end of P; a FLOW's is its value over
   * [start of the target period, end of P], valued as one node, which is the target period itself (with
   * its own figure) when P ends it.
   */
  private yearToDate(rule: Rule, rp: RowPeriod, tp: Period): number[] {
    if (rule === 'STOCK') return rp.parts.map((p) => this.periodId(p, 'part'));
    return [this.spanId({ startMonth: tp.startMonth, endMonth: spanOf(rp).endMonth })];
  }
}

/** What the planner asks a catalogue about each unit, memoised per catalogue. */
interface UnitFacts {
  readonly fromMonth: number;
  contributions?: Contributions;
}
const unitFactsCache = new WeakMap<UnitCatalog, Map<string, UnitFacts>>();

function unitFacts(catalog: UnitCatalog, id: string): UnitFacts {
  let byId = unitFactsCache.get(catalog);
  if (!byId) unitFactsCache.set(catalog, (byId = new Map()));
  let f = byId.get(id);
  if (!f) byId.set(id, (f = { fromMonth: monthOf(catalog.get(id)!.validFrom) }));
  return f;
}

function contributionsOf(catalog: UnitCatalog, id: string): Contributions {
  const f = unitFacts(catalog, id);
  return (f.contributions ??= catalog.contributions(id));
}

/**
 * The units to compute: the rows' units with their subtrees, and for a unit asked about a time before
 * it existed, the older units its figures are made of (rule 4), with their subtrees; rule 4's partial
 * units are only looked at for their own figures (`valued: false`).
 */
export function planUnits(
  catalog: UnitCatalog,
  rows: readonly PlannedRow[],
  periods: readonly PlannedPeriod[],
): AggregatePlan['units'] {
  let earliestEnd = Infinity;
  let latestEnd = -Infinity;
  for (const p of periods) {
    earliestEnd = Math.min(earliestEnd, p.endMonth);
    latestEnd = Math.max(latestEnd, p.endMonth);
  }
  const valued = new Set<string>();
  const factOnly = new Set<string>();
  const stack: string[] = rows.map((r) => r.unit.id);
  while (stack.length) {
    const id = stack.pop()!;
    if (valued.has(id)) continue;
    valued.add(id);
    const from = unitFacts(catalog, id).fromMonth;
    // A unit asked only about times before it existed takes nothing from its children.
    if (latestEnd >= from) for (const child of catalog.children(id)) stack.push(child.id);
    if (earliestEnd < from) {
      const c = contributionsOf(catalog, id);
      for (const w of c.whole) stack.push(w);
      for (const s of c.shares) stack.push(s.id);
      for (const p of c.partial) factOnly.add(p);
    }
  }
  const units = [...valued].map((id) => ({ id, valued: true }));
  for (const id of factOnly) if (!valued.has(id)) units.push({ id, valued: false });
  return units;
}

/** The rule-9 weights of the valued units, by month (see `weights.ts`). */
export function planWeights(catalog: UnitCatalog, units: AggregatePlan['units']): PlannedWeight[] {
  const out: PlannedWeight[] = [];
  for (const u of units) {
    if (!u.valued) continue;
    for (const s of leafWeights(catalog, u.id))
      out.push({ unitId: u.id, fromMonth: s.fromMonth, toMonth: s.toMonth, leaves: s.leaves });
  }
  return out;
}

/**
 * What rule 9 expects of each row's unit over its parts' periods (one entry per row, period and time
 * rule) and over its target period: the sums `expectedAggregate` makes in SQL, from the same weights.
 * A unit that is not valued has no weights and expects nothing, as in SQL.
 */
export function planExpected(
  catalog: UnitCatalog,
  plan: Pick<AggregatePlan, 'rows' | 'parts' | 'periods' | 'units'>,
): { expected: PlannedExpected[]; targetExpected: (number | null)[] } {
  const valued = new Set(plan.units.filter((u) => u.valued).map((u) => u.id));
  const periodOf = new Map(plan.periods.map((p) => [p.pid, p]));
  const byTemplate = new Map<number, Map<string, { pid: number; stock: boolean }>>();
  for (const p of plan.parts) {
    let keys = byTemplate.get(p.templateId);
    if (!keys) byTemplate.set(p.templateId, (keys = new Map()));
    const stock = p.rule === 'STOCK';
    keys.set(`${p.period}|${stock}`, { pid: p.period, stock });
  }
  const expected: PlannedExpected[] = [];
  const targetExpected: (number | null)[] = [];
  for (const r of plan.rows) {
    const segments = valued.has(r.unit.id) ? leafWeights(catalog, r.unit.id) : [];
    for (const { pid, stock } of byTemplate.get(r.templateId)?.values() ?? []) {
      const period = periodOf.get(pid)!;
      expected.push({
        rowId: r.rowId,
        pid,
        stock,
        expected: expectedWeight(segments, stock, period.startMonth, period.endMonth),
      });
    }
    targetExpected[r.rowId] = r.targetPeriod
      ? expectedWeight(segments, r.indicator.rule === 'STOCK', r.targetPeriod.startMonth, r.targetPeriod.endMonth)
      : null;
  }
  return { expected, targetExpected };
}
