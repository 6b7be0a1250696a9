import {
  clientError,
  Contributions,
  decomposeSpan,
  DEFAULT_TERMS,
  enclosingPeriod,
  ErrorCode,
  findIndicator,
  Grain,
  GRAINS,
  Indicator,
  isValidIsoDate,
  isValidOn,
  Level,
  LEVELS,
  monthOf,
  MonthSpan,
  parsePeriod,
  Period,
  PeriodFormatError,
  periodsInRange,
  Rule,
  shiftYears,
  spansOverlap,
  subPeriods,
  termPeriod,
  UnitCatalog,
  UnitVersion,
} from '@lgr/schema';
import { AggregateRequest, DEFAULT_MAX_ROWS, GROUP_BY_VALUES, GroupBy } from './types';

/** Which number of a row a part feeds: its value, the same period last year, or the year to date. */
export type PartRole = 'VALUE' | 'SAME' | 'YTD';
/** N: the indicator itself or a ratio's numerator; D: a ratio's denominator. */
export type PartSide = 'N' | 'D';

/** A (unit, indicator) row of the answer before its numbers are known. */
export interface PlannedRow {
  readonly rowId: number;
  readonly indicator: Indicator;
  readonly unit: UnitVersion;
  readonly period: Period;
  readonly term: string | null;
  readonly boundariesAsOf: string;
  /** The totals group the row rolls up into, when totals are asked for. */
  readonly groupId: number | null;
  /** False for rows computed only for their totals (groupBy without UNIT). */
  readonly emit: boolean;
  readonly targetPeriod: Period | undefined;
}

/** A totals row: the rows of one indicator, requested unit and period rolled up. */
export interface PlannedGroup {
  readonly groupId: number;
  readonly indicator: Indicator;
  readonly unit: UnitVersion;
  readonly period: Period;
  readonly term: string | null;
  readonly boundariesAsOf: string;
  readonly targetPeriod: Period | undefined;
}

/** A calendar period whose value a row needs, combined with the row's other parts by the time rule. */
export interface PlannedPart {
  readonly rowId: number;
  readonly role: PartRole;
  readonly side: PartSide;
  readonly base: string;
  readonly rule: Rule;
  readonly period: string;
  readonly ord: number;
}

export interface PlannedPeriod {
  readonly code: string;
  readonly grain: Grain;
  readonly startMonth: number;
  readonly endMonth: number;
}

/** Everything the SQL needs to know about a query, and the order its answer comes back in. */
export interface AggregatePlan {
  readonly rows: PlannedRow[];
  readonly groups: PlannedGroup[];
  /** The answer in order: a row (by rowId) or a total (by groupId). */
  readonly output: { kind: 'ROW' | 'TOTAL'; id: number }[];
  /** Units whose values are computed (`valued`), and units whose own figures are only looked at (rule 4's partial units). */
  readonly units: { id: string; valued: boolean }[];
  /** The periods values are computed for: the parts and all their sub-periods. */
  readonly valuePeriods: PlannedPeriod[];
  /** Each value period's direct sub-periods (DESIGN 3 rule 2), in time order. */
  readonly subs: { parent: string; child: string; ord: number }[];
  /** The recorded indicators values are computed for, with their time rule. */
  readonly valueIndicators: { code: string; rule: Rule }[];
  readonly targetPeriods: PlannedPeriod[];
  readonly targetIndicators: { code: string; rule: Rule }[];
  readonly parts: PlannedPart[];
}

export interface PlanOptions {
  scope?: ReadonlySet<string>;
  maxRows?: number;
}

const DEFAULT_GROUP_BY: readonly GroupBy[] = ['INDICATOR', 'UNIT', 'PERIOD'];

function badInput(argument: string, message: string, details: Record<string, unknown> = {}): Error {
  return clientError(ErrorCode.BAD_USER_INPUT, message, { argument, ...details });
}

function parseArgumentPeriod(code: unknown, argument: string): Period {
  if (typeof code !== 'string') {
    throw clientError(ErrorCode.INVALID_PERIOD, `Argument "${argument}" expects period codes; got ${JSON.stringify(code)}`, {
      argument,
    });
  }
  try {
    return parsePeriod(code);
  } catch (error) {
    const reason = error instanceof PeriodFormatError ? error.message : String(error);
    throw clientError(ErrorCode.INVALID_PERIOD, `Argument "${argument}": ${reason}`, { argument, period: code });
  }
}

/** The requested periods, by list or by range, each once, in the order asked. */
export function requestedPeriods(request: AggregateRequest): Period[] {
  const hasList = request.periods !== undefined && request.periods !== null;
  const hasRange = (request.from ?? null) !== null || (request.to ?? null) !== null;
  if (hasList && hasRange) {
    throw badInput('periods', 'Give either "periods" or "from" and "to", not both');
  }
  let periods: Period[];
  if (hasList) {
    if (!Array.isArray(request.periods)) throw badInput('periods', 'Argument "periods" must be a list of period codes');
    periods = request.periods.map((code) => parseArgumentPeriod(code, 'periods'));
  } else if (hasRange) {
    if (!request.from) throw badInput('from', 'Argument "from" is required with "to"');
    if (!request.to) throw badInput('to', 'Argument "to" is required with "from"');
    const from = parseArgumentPeriod(request.from, 'from');
    const to = parseArgumentPeriod(request.to, 'to');
    if (request.grain !== undefined && request.grain !== null && !GRAINS.includes(request.grain)) {
      throw badInput('grain', `Argument "grain" must be one of ${GRAINS.join(', ')}; got ${JSON.stringify(request.grain)}`);
    }
    if (to.endMonth < from.startMonth) {
      throw clientError(ErrorCode.INVALID_PERIOD, `Argument "to" (${to.code}) ends before "from" (${from.code}) starts`, {
        argument: 'to',
        period: to.code,
      });
    }
    periods = periodsInRange(from, to, request.grain ?? from.grain);
  } else {
    throw badInput('periods', 'Give "periods", or "from" and "to" with a "grain"');
  }
  const seen = new Set<string>();
  return periods.filter((p) => !seen.has(p.code) && seen.add(p.code));
}

function requestedIndicators(codes: unknown): Indicator[] {
  if (!Array.isArray(codes) || codes.length === 0) {
    throw badInput('indicators', 'Argument "indicators" must name at least one indicator');
  }
  const out: Indicator[] = [];
  for (const code of codes) {
    const indicator = typeof code === 'string' ? findIndicator(code) : undefined;
    if (!indicator) {
      throw clientError(ErrorCode.UNKNOWN_INDICATOR, `Argument "indicators": no indicator has the code ${JSON.stringify(code)}`, {
        argument: 'indicators',
        indicator: code,
      });
    }
    if (!out.includes(indicator)) out.push(indicator);
  }
  return out;
}

function requestedGroupBy(groupBy: unknown): Set<GroupBy> {
  if (groupBy === undefined || groupBy === null) return new Set(DEFAULT_GROUP_BY);
  if (!Array.isArray(groupBy)) throw badInput('groupBy', 'Argument "groupBy" must be a list');
  for (const g of groupBy) {
    if (!GROUP_BY_VALUES.includes(g as GroupBy)) {
      throw badInput('groupBy', `Argument "groupBy" accepts ${GROUP_BY_VALUES.join(', ')}; got ${JSON.stringify(g)}`);
    }
  }
  return new Set(groupBy as GroupBy[]);
}

/** The calendar periods a span is made of; a period is its own single part. */
function partsOf(span: Period | MonthSpan): Period[] {
  return 'code' in span ? [span] : decomposeSpan(span);
}

/** The terms a period lies in (for a year across two terms, both). */
function termsOverlapping(p: Period): Period[] {
  if (p.grain === 'TERM') return [p];
  return DEFAULT_TERMS.filter((t) => spansOverlap(t, p)).map(termPeriod);
}

function termOf(p: Period): string | null {
  return enclosingPeriod(p, 'TERM')?.code ?? null;
}

/** Per-catalogue memo of rule-4 contributions, which the planner asks for many times per query. */
const contributionCache = new WeakMap<UnitCatalog, Map<string, Contributions>>();

function contributionsOf(catalog: UnitCatalog, id: string): Contributions {
  let byId = contributionCache.get(catalog);
  if (!byId) contributionCache.set(catalog, (byId = new Map()));
  let c = byId.get(id);
  if (!c) byId.set(id, (c = catalog.contributions(id)));
  return c;
}

/**
 * Turns a request into a plan: validates it, resolves every unit on its boundaries' date, checks the
 * scope, expands levels, periods and terms, and lists each row's parts (the value, the same period
 * last year and the year to date) and the units and periods the SQL has to compute. It reads no
 * figures: what the figures make of the plan is decided in SQL.
 */
export function planAggregate(catalog: UnitCatalog, request: AggregateRequest, options: PlanOptions = {}): AggregatePlan {
  if (!request || typeof request !== 'object') throw badInput('query', 'The aggregate query is missing');
  const indicators = requestedIndicators(request.indicators);
  const groupBy = requestedGroupBy(request.groupBy);
  if (request.level !== undefined && request.level !== null && !LEVELS.includes(request.level)) {
    throw badInput('level', `Argument "level" must be one of ${LEVELS.join(', ')}; got ${JSON.stringify(request.level)}`);
  }
  const level: Level | undefined = request.level ?? undefined;
  const asOf = request.boundariesAsOf ?? undefined;
  if (asOf !== undefined && (typeof asOf !== 'string' || !isValidIsoDate(asOf))) {
    throw badInput('boundariesAsOf', `Argument "boundariesAsOf" must be a date as YYYY-MM-DD; got ${JSON.stringify(asOf)}`);
  }
  if (!Array.isArray(request.units) || request.units.length === 0) {
    throw badInput('units', 'Argument "units" must name at least one unit');
  }
  const unitRefs = [...new Set(request.units)];
  for (const ref of unitRefs) {
    if (typeof ref !== 'string' || ref.trim() === '') throw badInput('units', `Argument "units" got ${JSON.stringify(ref)}, not a unit code`);
  }
  let periods = requestedPeriods(request);
  const byPeriod = groupBy.has('PERIOD');
  const byTerm = groupBy.has('TERM');
  if (byTerm && !byPeriod) {
    const seen = new Set<string>();
    periods = periods
      .flatMap(termsOverlapping)
      .filter((t) => !seen.has(t.code) && seen.add(t.code))
      .sort((a, b) => a.startMonth - b.startMonth);
  }
  const byUnit = groupBy.has('UNIT');
  const totals = Boolean(request.totals) || !byUnit;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;

  // Resolve every requested unit for every period (the date differs per period without boundariesAsOf).
  interface Resolved {
    unit: UnitVersion;
    members: UnitVersion[];
    date: string;
  }
  const resolved: Resolved[][] = unitRefs.map(() => []);
  periods.forEach((p, pi) => {
    const date = asOf ?? p.end;
    unitRefs.forEach((ref, ui) => {
      const unit = ref.includes('@') ? catalog.get(ref) : catalog.resolve(ref, date);
      if (!unit) {
        const message = ref.includes('@')
          ? `Argument "units": no unit version has the id "${ref}"`
          : `Argument "units": unit "${ref}" has no version valid on ${date}`;
        throw clientError(ErrorCode.UNIT_NOT_FOUND, message, { argument: 'units', unit: ref, date });
      }
      if (options.scope && !options.scope.has(unit.id)) {
        throw clientError(ErrorCode.FORBIDDEN, `Argument "units": you are not allowed to read unit "${ref}"`, {
          argument: 'units',
          unit: ref,
        });
      }
      const members = level
        ? catalog
            .subtree(unit.id)
            .filter((u) => u.level === level && (u.id === unit.id || isValidOn(u, date)))
            .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        : [unit];
      resolved[ui]![pi] = { unit, members, date };
    });
  });

  let outputCount = 0;
  for (const perUnit of resolved) {
    for (const r of perUnit) outputCount += (byUnit ? r.members.length : 0) + (totals ? 1 : 0);
  }
  outputCount *= indicators.length;
  if (outputCount > maxRows) {
    throw clientError(
      ErrorCode.RESULT_TOO_LARGE,
      `The query would return ${outputCount} rows, more than the limit of ${maxRows}; ask for fewer indicators, units, periods or a coarser level`,
      { argument: 'query', rows: outputCount, maxRows },
    );
  }

  const rows: PlannedRow[] = [];
  const groups: PlannedGroup[] = [];
  const output: AggregatePlan['output'] = [];
  for (const indicator of indicators) {
    for (let ui = 0; ui < unitRefs.length; ui++) {
      const cells: { member: UnitVersion; pi: number }[] = [];
      const groupIds: number[] = [];
      periods.forEach((p, pi) => {
        const r = resolved[ui]![pi]!;
        const targetPeriod = indicator.targetGrain ? enclosingPeriod(p, indicator.targetGrain) : undefined;
        if (totals) {
          groupIds[pi] = groups.length;
          groups.push({
            groupId: groups.length,
            indicator,
            unit: r.unit,
            period: p,
            term: byTerm ? termOf(p) : null,
            boundariesAsOf: r.date,
            targetPeriod,
          });
        }
        for (const member of r.members) cells.push({ member, pi });
      });
      cells.sort((a, b) =>
        a.member.code < b.member.code ? -1 : a.member.code > b.member.code ? 1 : a.member.id < b.member.id ? -1 : a.member.id > b.member.id ? 1 : a.pi - b.pi,
      );
      for (const { member, pi } of cells) {
        const p = periods[pi]!;
        const row: PlannedRow = {
          rowId: rows.length,
          indicator,
          unit: member,
          period: p,
          term: byTerm ? termOf(p) : null,
          boundariesAsOf: resolved[ui]![pi]!.date,
          groupId: totals ? groupIds[pi]! : null,
          emit: byUnit,
          targetPeriod: indicator.targetGrain ? enclosingPeriod(p, indicator.targetGrain) : undefined,
        };
        rows.push(row);
        if (byUnit) output.push({ kind: 'ROW', id: row.rowId });
      }
      if (totals) for (const id of groupIds) output.push({ kind: 'TOTAL', id });
    }
  }

  // Each row's parts: the value of P, the same period a year earlier, and the year to date.
  const parts: PlannedPart[] = [];
  const partPeriods = new Map<string, Period>();
  const valueIndicators = new Map<string, Rule>();
  const targetIndicators = new Map<string, Rule>();
  const targetPeriods = new Map<string, Period>();
  const addParts = (row: PlannedRow, role: PartRole, side: PartSide, base: Indicator, list: Period[]): void => {
    list.forEach((p, ord) => {
      partPeriods.set(p.code, p);
      parts.push({ rowId: row.rowId, role, side, base: base.code, rule: base.rule, period: p.code, ord });
    });
  };
  for (const row of rows) {
    const sides: [PartSide, Indicator][] =
      row.indicator.rule === 'RATIO'
        ? [
            ['N', findIndicator(row.indicator.numerator!)!],
            ['D', findIndicator(row.indicator.denominator!)!],
          ]
        : [['N', row.indicator]];
    const p = row.period;
    const same = partsOf(shiftYears(p, -1));
    const tp = row.targetPeriod;
    for (const [side, base] of sides) {
      valueIndicators.set(base.code, base.rule);
      addParts(row, 'VALUE', side, base, [p]);
      addParts(row, 'SAME', side, base, same);
      if (tp) {
        // DESIGN 3 rule 5: a STOCK's year to date is its value at the end of P; a FLOW's is its value
        // over [start of the target period, end of P], which is P itself when P starts the target period.
        const ytd =
          base.rule === 'STOCK' || tp.startMonth === p.startMonth
            ? [p]
            : decomposeSpan({ startMonth: tp.startMonth, endMonth: p.endMonth });
        addParts(row, 'YTD', side, base, ytd);
      }
    }
    if (tp) {
      targetIndicators.set(row.indicator.code, row.indicator.rule);
      targetPeriods.set(tp.code, tp);
    }
  }

  // Every sub-period of every part (rule 2 splits down to months).
  const valuePeriods = new Map<string, Period>();
  const subs: AggregatePlan['subs'] = [];
  const visit = (p: Period): void => {
    if (valuePeriods.has(p.code)) return;
    valuePeriods.set(p.code, p);
    subPeriods(p).forEach((s, ord) => {
      subs.push({ parent: p.code, child: s.code, ord });
      visit(s);
    });
  };
  for (const p of partPeriods.values()) visit(p);

  // The units to compute: the rows' units with their subtrees, and for a unit asked about a time
  // before it existed, the older units its figures are made of (rule 4), with their subtrees.
  let earliestEnd = Infinity;
  let latestEnd = -Infinity;
  for (const p of [...valuePeriods.values(), ...targetPeriods.values()]) {
    earliestEnd = Math.min(earliestEnd, p.endMonth);
    latestEnd = Math.max(latestEnd, p.endMonth);
  }
  const valued = new Set<string>();
  const factOnly = new Set<string>();
  const stack: string[] = [];
  for (const row of rows) stack.push(row.unit.id);
  while (stack.length) {
    const id = stack.pop()!;
    if (valued.has(id)) continue;
    valued.add(id);
    const from = monthOf(catalog.get(id)!.validFrom);
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

  const planned = (p: Period): PlannedPeriod => ({ code: p.code, grain: p.grain, startMonth: p.startMonth, endMonth: p.endMonth });
  return {
    rows,
    groups,
    output,
    units,
    valuePeriods: [...valuePeriods.values()].map(planned),
    subs,
    valueIndicators: [...valueIndicators].map(([code, rule]) => ({ code, rule })),
    targetPeriods: [...targetPeriods.values()].map(planned),
    targetIndicators: [...targetIndicators].map(([code, rule]) => ({ code, rule })),
    parts,
  };
}
