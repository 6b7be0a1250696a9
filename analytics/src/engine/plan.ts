import {
  ALL_MEASURES,
  clientError,
  enclosingPeriod,
  ErrorCode,
  findIndicator,
  GRAINS,
  Indicator,
  isValidIsoDate,
  isValidOn,
  Level,
  LEVELS,
  Measures,
  parsePeriod,
  Period,
  PeriodFormatError,
  periodsInRange,
  UnitCatalog,
  UnitVersion,
} from '@lgr/schema';
import { unitKeys } from './unit-keys';
import { PlanBuilder, planExpected, planUnits, planWeights, RowPeriod, targetPeriodOf } from './plan-builder';
import { planShape } from './steps';
import {
  AggregatePlan,
  AggregateRequest,
  AnswerPlan,
  DEFAULT_MAX_ROWS,
  GROUP_BY_VALUES,
  GroupBy,
  Measure,
  MEASURE_VALUES,
  PlannedGroup,
  PlannedNote,
  PlannedRow,
  PlanOptions,
} from './types';

const DEFAULT_GROUP_BY: readonly GroupBy[] = ['INDICATOR', 'UNIT', 'PERIOD'];

function badInput(argument: string, message: string, details: Record<string, unknown> = {}): Error {
  return clientError(ErrorCode.BAD_USER_INPUT, message, { argument, ...details });
}

function parseArgumentPeriod(code: unknown, argument: string): Period {
  if (typeof code !== 'string') {
    throw clientError(
      ErrorCode.INVALID_PERIOD,
      `Argument "${argument}" expects period codes; got ${JSON.stringify(code)}`,
      {
        argument,
      },
    );
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
      throw badInput(
        'grain',
        `Argument "grain" must be one of ${GRAINS.join(', ')}; got ${JSON.stringify(request.grain)}`,
      );
    }
    if (to.endMonth < from.startMonth) {
      throw clientError(
        ErrorCode.INVALID_PERIOD,
        `Argument "to" (${to.code}) ends before "from" (${from.code}) starts`,
        {
          argument: 'to',
          period: to.code,
        },
      );
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
      throw clientError(
        ErrorCode.UNKNOWN_INDICATOR,
        `Argument "indicators": no indicator has the code ${JSON.stringify(code)}`,
        {
          argument: 'indicators',
          indicator: code,
        },
      );
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

function termOf(p: Period): string | null {
  return enclosingPeriod(p, 'TERM')?.code ?? null;
}

/** The numbers a request's `measures` ask for besides the value; a list that is not one is refused, naming it. */
export function requestedMeasures(measures: unknown): Measures {
  if (measures === undefined || measures === null) return ALL_MEASURES;
  if (!Array.isArray(measures)) throw badInput('measures', 'Argument "measures" must be a list');
  for (const m of measures) {
    if (!MEASURE_VALUES.includes(m as Measure)) {
      throw badInput('measures', `Argument "measures" accepts ${MEASURE_VALUES.join(', ')}; got ${JSON.stringify(m)}`);
    }
  }
  return { samePeriod: measures.includes('SAME_PERIOD'), target: measures.includes('TARGET') };
}

/** A request whose arguments were checked, in the planner's terms. */
interface CheckedRequest {
  readonly indicators: Indicator[];
  readonly unitRefs: string[];
  readonly level: Level | undefined;
  readonly asOf: string | undefined;
  readonly byUnit: boolean;
  readonly byTerm: boolean;
  readonly totals: boolean;
  readonly rowPeriods: RowPeriod[];
  readonly measures: Measures;
}

/** Checks every argument of a request, naming the argument of the first that is wrong. */
function checkRequest(request: AggregateRequest): CheckedRequest {
  if (!request || typeof request !== 'object') throw badInput('query', 'The aggregate query is missing');
  const indicators = requestedIndicators(request.indicators);
  const groupBy = requestedGroupBy(request.groupBy);
  const measures = requestedMeasures(request.measures);
  if (request.level !== undefined && request.level !== null && !LEVELS.includes(request.level)) {
    throw badInput(
      'level',
      `Argument "level" must be one of ${LEVELS.join(', ')}; got ${JSON.stringify(request.level)}`,
    );
  }
  const asOf = request.boundariesAsOf ?? undefined;
  if (asOf !== undefined && (typeof asOf !== 'string' || !isValidIsoDate(asOf))) {
    throw badInput(
      'boundariesAsOf',
      `Argument "boundariesAsOf" must be a date as YYYY-MM-DD; got ${JSON.stringify(asOf)}`,
    );
  }
  if (!Array.isArray(request.units) || request.units.length === 0) {
    throw badInput('units', 'Argument "units" must name at least one unit');
  }
  const unitRefs = [...new Set(request.units)];
  for (const ref of unitRefs) {
    if (typeof ref !== 'string' || ref.trim() === '')
      throw badInput('units', `Argument "units" got ${JSON.stringify(ref)}, not a unit code`);
  }
  const periods = requestedPeriods(request);
  const byTerm = groupBy.has('TERM');
  const byUnit = groupBy.has('UNIT');
  return {
    indicators,
    unitRefs,
    level: request.level ?? undefined,
    asOf,
    byUnit,
    byTerm,
    totals: Boolean(request.totals) || !byUnit,
    rowPeriods:
      byTerm && !groupBy.has('PERIOD') ? periodsByTerm(periods) : periods.map((p) => ({ label: p, parts: [p] })),
    measures,
  };
}

/**
 * groupBy TERM without PERIOD ("Terms, in detail"): one row period per term containing requested
 * periods, combining only those periods; a period in no single term (a year across two) has none.
 */
function periodsByTerm(periods: readonly Period[]): RowPeriod[] {
  const byTerm = new Map<string, { label: Period; parts: Period[] }>();
  for (const p of periods) {
    const term = enclosingPeriod(p, 'TERM');
    if (!term) continue;
    const entry = byTerm.get(term.code) ?? { label: term, parts: [] };
    byTerm.set(term.code, entry);
    // Overlapping requested periods (2022 and 2022S1) would count months twice: the larger one stands.
    if (!entry.parts.some((q) => q.startMonth <= p.startMonth && p.endMonth <= q.endMonth)) {
      entry.parts = entry.parts.filter((q) => !(p.startMonth <= q.startMonth && q.endMonth <= p.endMonth));
      entry.parts.push(p);
    }
  }
  return [...byTerm.values()]
    .map((e) => ({ label: e.label, parts: e.parts.sort((a, b) => a.startMonth - b.startMonth) }))
    .sort((a, b) => a.label.startMonth - b.label.startMonth);
}

/** A requested unit on one row period's boundaries: its version and the units the rows are for. */
interface Resolved {
  readonly unit: UnitVersion;
  readonly members: UnitVersion[];
  readonly date: string;
  /** Set when the code has no version on the date: the rows carry this reason and no numbers. */
  readonly note: string | null;
}

function compareUnits(a: UnitVersion, b: UnitVersion): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Resolves a unit reference on a date (DESIGN 3): a version id as it is, a code to its version valid
 * then. A code that exists but has no version on the date gives its nearest version and a reason, so
 * that a series across the reform answers every period; one that never existed is refused.
 */
function resolveRef(
  catalog: UnitCatalog,
  ref: string,
  date: string,
  level: Level | undefined,
  scope: ReadonlySet<string> | undefined,
): Resolved {
  let unit = ref.includes('@') ? catalog.get(ref) : catalog.resolve(ref, date);
  let note: string | null = null;
  if (!unit && !ref.includes('@')) {
    const versions = catalog.versionsOf(ref);
    const before = versions.filter((v) => v.validFrom <= date);
    unit = before[before.length - 1] ?? versions[0];
    if (unit) {
      const when =
        unit.validTo !== null && unit.validTo < date ? `it ended on ${unit.validTo}` : `it began on ${unit.validFrom}`;
      note = `Unit ${ref} has no version valid on ${date} (${when}); ask with boundariesAsOf for a date it was valid, or for the units that took over its territory`;
    }
  }
  if (!unit) {
    const message = ref.includes('@')
      ? `Argument "units": no unit version has the id "${ref}"`
      : `Argument "units": unit "${ref}" has no version valid on ${date}`;
    throw clientError(ErrorCode.UNIT_NOT_FOUND, message, { argument: 'units', unit: ref, date });
  }
  if (scope && !scope.has(unit.id)) {
    throw clientError(ErrorCode.FORBIDDEN, `Argument "units": you are not allowed to read unit "${ref}"`, {
      argument: 'units',
      unit: ref,
    });
  }
  if (note) return { unit, members: [unit], date, note };
  const members = level
    ? catalog
        .subtree(unit.id)
        .filter((u) => u.level === level && (u.id === unit.id || isValidOn(u, date)))
        .sort(compareUnits)
    : [unit];
  return { unit, members, date, note: null };
}

/** Every requested unit on every row period's boundaries: the date differs per period without boundariesAsOf. */
function resolveUnits(catalog: UnitCatalog, req: CheckedRequest, scope: ReadonlySet<string> | undefined): Resolved[][] {
  return req.unitRefs.map((ref) =>
    req.rowPeriods.map((rp) =>
      resolveRef(catalog, ref, req.asOf ?? rp.parts[rp.parts.length - 1]!.end, req.level, scope),
    ),
  );
}

function checkRowLimit(req: CheckedRequest, resolved: Resolved[][], maxRows: number): void {
  let outputCount = 0;
  for (const perUnit of resolved) {
    for (const r of perUnit) outputCount += (req.byUnit ? r.members.length : 0) + (req.totals ? 1 : 0);
  }
  outputCount *= req.indicators.length;
  if (outputCount > maxRows) {
    throw clientError(
      ErrorCode.RESULT_TOO_LARGE,
      `The query would return ${outputCount} rows, more than the limit of ${maxRows}; ask for fewer indicators, units, periods or a coarser level`,
      { argument: 'query', rows: outputCount, maxRows },
    );
  }
}

/** The rows, totals and rows without numbers of a plan, and the order of the answer. */
interface PlannedAnswer {
  readonly rows: PlannedRow[];
  readonly groups: PlannedGroup[];
  readonly notes: PlannedNote[];
  readonly output: AggregatePlan['output'];
}

/**
 * Lists the answer's rows in order (indicators as requested, then requested units, their members by
 * code then period, then the totals), each with its template of parts.
 */
function planRows(builder: PlanBuilder, req: CheckedRequest, resolved: Resolved[][]): PlannedAnswer {
  const answer: PlannedAnswer = { rows: [], groups: [], notes: [], output: [] };
  for (const indicator of req.indicators) {
    // Without targets asked for, no row has a target period: nothing reads targets or the year to date.
    const targetPeriods = req.rowPeriods.map((rp) => (req.measures.target ? targetPeriodOf(indicator, rp) : undefined));
    const terms = req.rowPeriods.map((rp) => (req.byTerm ? termOf(rp.label) : null));
    for (const perPeriod of resolved) {
      const cells: { member: UnitVersion; pi: number }[] = [];
      const totals: AggregatePlan['output'] = [];
      perPeriod.forEach((r, pi) => {
        const rp = req.rowPeriods[pi]!;
        const base = {
          indicator,
          unit: r.unit,
          period: rp.label,
          periods: rp.parts,
          term: terms[pi]!,
          boundariesAsOf: r.date,
        };
        if (req.totals && r.note) {
          totals.push({ kind: 'NOTE', id: answer.notes.length });
          answer.notes.push({ ...base, noteId: answer.notes.length, total: true, note: r.note });
        } else if (req.totals) {
          totals.push({ kind: 'TOTAL', id: answer.groups.length });
          answer.groups.push({ ...base, groupId: answer.groups.length, targetPeriod: targetPeriods[pi] });
        }
        for (const member of r.members) cells.push({ member, pi });
      });
      cells.sort((a, b) => compareUnits(a.member, b.member) || a.pi - b.pi);
      for (const { member, pi } of cells)
        addRow(builder, req, answer, {
          indicator,
          member,
          pi,
          resolved: perPeriod[pi]!,
          term: terms[pi]!,
          targetPeriod: targetPeriods[pi],
          totals,
        });
      answer.output.push(...totals);
    }
  }
  return answer;
}

/** One member's row of a requested unit and row period, or its row without numbers. */
function addRow(
  builder: PlanBuilder,
  req: CheckedRequest,
  answer: PlannedAnswer,
  cell: {
    indicator: Indicator;
    member: UnitVersion;
    pi: number;
    resolved: Resolved;
    term: string | null;
    targetPeriod: Period | undefined;
    totals: AggregatePlan['output'];
  },
): void {
  const rp = req.rowPeriods[cell.pi]!;
  const base = {
    indicator: cell.indicator,
    unit: cell.member,
    period: rp.label,
    periods: rp.parts,
    term: cell.term,
    boundariesAsOf: cell.resolved.date,
  };
  if (cell.resolved.note) {
    if (!req.byUnit) return;
    answer.output.push({ kind: 'NOTE', id: answer.notes.length });
    answer.notes.push({ ...base, noteId: answer.notes.length, total: false, note: cell.resolved.note });
    return;
  }
  const total = req.totals ? cell.totals[cell.pi] : undefined;
  const row: PlannedRow = {
    ...base,
    rowId: answer.rows.length,
    groupId: total?.kind === 'TOTAL' ? total.id : null,
    emit: req.byUnit,
    targetPeriod: cell.targetPeriod,
    templateId: builder.templateOf(cell.indicator, rp, cell.targetPeriod),
  };
  answer.rows.push(row);
  if (req.byUnit) answer.output.push({ kind: 'ROW', id: row.rowId });
}

/**
 * Turns a request into a plan: validates it, resolves every unit on its boundaries' date, checks the
 * scope, expands levels, periods and terms, and lists each row's parts (the value, the same period
 * last year and the year to date), the units and periods the SQL has to compute and the units'
 * rule-9 weights. It reads no figures: what the figures make of the plan is decided in SQL.
 */
export function planAggregate(
  catalog: UnitCatalog,
  request: AggregateRequest,
  options: PlanOptions = {},
): AggregatePlan {
  return planProgramme(catalog, planAnswer(catalog, request, options));
}

/**
 * The first half of {@link planAggregate}: the request checked, its units resolved and in scope, and
 * the answer's rows and totals with their parts, without the units and weights the programme needs.
 */
export function planAnswer(catalog: UnitCatalog, request: AggregateRequest, options: PlanOptions = {}): AnswerPlan {
  const req = checkRequest(request);
  const resolved = resolveUnits(catalog, req, options.scope);
  checkRowLimit(req, resolved, options.maxRows ?? DEFAULT_MAX_ROWS);
  const builder = new PlanBuilder(req.measures);
  const { rows, groups, notes, output } = planRows(builder, req, resolved);
  // A RATIO total's target is the requested unit's own, looked up by its target period.
  for (const g of groups) if (g.targetPeriod) builder.periodId(g.targetPeriod, 'target');
  return {
    rows,
    groups,
    notes,
    output,
    periods: builder.periods,
    subs: builder.subs,
    indicators: builder.indicators,
    parts: builder.parts,
    measures: req.measures,
  };
}

/** The second half of {@link planAggregate}: the units, weights and steps of the SQL programme. */
export function planProgramme(catalog: UnitCatalog, answer: AnswerPlan): AggregatePlan {
  const { rows, groups, periods, parts } = answer;
  const units = planUnits(catalog, rows, periods);
  const shape = planShape(catalog, { units, periods, groups });
  const { expected, targetExpected } = planExpected(catalog, { rows, parts, periods, units });
  return {
    ...answer,
    units,
    unitKeys: unitKeys(catalog),
    weights: planWeights(catalog, units),
    expected,
    targetExpected,
    shape,
  };
}
