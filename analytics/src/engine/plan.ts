import {
  clientError,
  Contributions,
  decomposeSpan,
  enclosingPeriod,
  ErrorCode,
  findIndicator,
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
  subPeriods,
  UnitCatalog,
  UnitVersion,
} from '@lgr/schema';
import { planShape } from './steps';
import {
  AggregatePlan,
  AggregateRequest,
  DEFAULT_MAX_ROWS,
  GROUP_BY_VALUES,
  GroupBy,
  PartRole,
  PartSide,
  PlannedGroup,
  PlannedIndicator,
  PlannedPart,
  PlannedPeriod,
  PlannedRow,
  PlanOptions,
} from './types';

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

function termOf(p: Period): string | null {
  return enclosingPeriod(p, 'TERM')?.code ?? null;
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
    // Each period is replaced by the term that contains it; a period in no single term (a year
    // across two terms) has none.
    periods = periods
      .flatMap((p) => enclosingPeriod(p, 'TERM') ?? [])
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

  // Each row's parts: the value of P, the same period a year earlier, and the year to date. Rows of
  // one indicator and period share their parts (a template), so those are worked out once.
  const periodIds = new Map<string, number>();
  const periodList: PlannedPeriod[] = [];
  const subs: AggregatePlan['subs'] = [];
  const periodId = (p: Period, as: 'value' | 'target' | 'part'): number => {
    let pid = periodIds.get(p.code);
    if (pid === undefined) {
      pid = periodList.length;
      periodIds.set(p.code, pid);
      periodList.push({
        pid,
        code: p.code,
        grain: p.grain,
        startMonth: p.startMonth,
        endMonth: p.endMonth,
        value: false,
        target: false,
        part: false,
        parentEnd: null,
      });
    }
    const planned = periodList[pid]!;
    if (as === 'part' && !planned.part) periodList[pid] = { ...periodList[pid]!, part: true };
    const flag = as === 'target' ? 'target' : 'value';
    if (!planned[flag]) {
      periodList[pid] = { ...periodList[pid]!, [flag]: true };
      // Rule 2 splits a period down to months: every sub-period of a value period is one too.
      if (flag === 'value') {
        subPeriods(p).forEach((sub, ord) => {
          const child = periodId(sub, 'value');
          const c = periodList[child]!;
          periodList[child] = { ...c, parentEnd: Math.max(c.parentEnd ?? -Infinity, p.endMonth) };
          subs.push({ parent: pid!, child, ord });
        });
      }
    }
    return pid;
  };
  const indicatorIds = new Map<string, number>();
  const indicatorList: PlannedIndicator[] = [];
  const indicatorId = (i: Indicator, as: 'value' | 'target'): number => {
    let iid = indicatorIds.get(i.code);
    if (iid === undefined) {
      iid = indicatorList.length;
      indicatorIds.set(i.code, iid);
      indicatorList.push({ iid, code: i.code, rule: i.rule, value: false, target: false });
    }
    const planned = indicatorList[iid]!;
    if (!planned[as]) indicatorList[iid] = { ...planned, [as]: true };
    return iid;
  };
  interface Template {
    role: PartRole;
    side: PartSide;
    base: number;
    rule: Rule;
    periods: number[];
  }
  const templates = new Map<string, number>();
  const templateParts: PlannedPart[] = [];
  /** The id of the parts shared by the rows of one indicator and period. */
  const templateOf = (indicator: Indicator, p: Period, tp: Period | undefined): number => {
    const key = `${indicator.code}|${p.code}`;
    const known = templates.get(key);
    if (known !== undefined) return known;
    const list: Template[] = [];
    const sides: [PartSide, Indicator][] =
      indicator.rule === 'RATIO'
        ? [
            ['N', findIndicator(indicator.numerator!)!],
            ['D', findIndicator(indicator.denominator!)!],
          ]
        : [['N', indicator]];
    const same = partsOf(shiftYears(p, -1));
    for (const [side, base] of sides) {
      const iid = indicatorId(base, 'value');
      list.push({ role: 'VALUE', side, base: iid, rule: base.rule, periods: [periodId(p, 'part')] });
      list.push({ role: 'SAME', side, base: iid, rule: base.rule, periods: same.map((s) => periodId(s, 'part')) });
      if (tp) {
        // DESIGN 3 rule 5: a STOCK's year to date is its value at the end of P; a FLOW's is its value
        // over [start of the target period, end of P], which is P itself when P starts the target period.
        const ytd =
          base.rule === 'STOCK' || tp.startMonth === p.startMonth
            ? [p]
            : decomposeSpan({ startMonth: tp.startMonth, endMonth: p.endMonth });
        list.push({ role: 'YTD', side, base: iid, rule: base.rule, periods: ytd.map((y) => periodId(y, 'part')) });
      }
    }
    if (tp) {
      indicatorId(indicator, 'target');
      periodId(tp, 'target');
    }
    const templateId = templates.size;
    templates.set(key, templateId);
    for (const t of list) {
      t.periods.forEach((period, ord) => templateParts.push({ templateId, role: t.role, side: t.side, base: t.base, rule: t.rule, period, ord }));
    }
    return templateId;
  };
  const rows: PlannedRow[] = [];
  const groups: PlannedGroup[] = [];
  const output: AggregatePlan['output'] = [];
  for (const indicator of indicators) {
    const targetPeriods = periods.map((p) => (indicator.targetGrain ? enclosingPeriod(p, indicator.targetGrain) : undefined));
    const terms = periods.map((p) => (byTerm ? termOf(p) : null));
    for (let ui = 0; ui < unitRefs.length; ui++) {
      const cells: { member: UnitVersion; pi: number }[] = [];
      const groupIds: number[] = [];
      periods.forEach((p, pi) => {
        const r = resolved[ui]![pi]!;
        const targetPeriod = targetPeriods[pi];
        if (totals) {
          groupIds[pi] = groups.length;
          groups.push({
            groupId: groups.length,
            indicator,
            unit: r.unit,
            period: p,
            term: terms[pi]!,
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
          term: terms[pi]!,
          boundariesAsOf: resolved[ui]![pi]!.date,
          groupId: totals ? groupIds[pi]! : null,
          emit: byUnit,
          targetPeriod: targetPeriods[pi],
          templateId: templateOf(indicator, p, targetPeriods[pi]),
        };
        rows.push(row);
        if (byUnit) output.push({ kind: 'ROW', id: row.rowId });
      }
      if (totals) for (const id of groupIds) output.push({ kind: 'TOTAL', id });
    }
  }

  // A RATIO total's target is the requested unit's own, looked up by its target period.
  for (const g of groups) if (g.targetPeriod) periodId(g.targetPeriod, 'target');

  // The units to compute: the rows' units with their subtrees, and for a unit asked about a time
  // before it existed, the older units its figures are made of (rule 4), with their subtrees.
  let earliestEnd = Infinity;
  let latestEnd = -Infinity;
  for (const p of periodList) {
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

  const shape = planShape(catalog, { units, periods: periodList, groups });
  return { rows, groups, output, units, periods: periodList, subs, indicators: indicatorList, parts: templateParts, shape };
}
