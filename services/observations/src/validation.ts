import {
  DEFAULT_TERMS,
  Domain,
  ErrorCode,
  findIndicator,
  Indicator,
  IngestColumn,
  isValidDuring,
  ObservationRecord,
  Period,
  PeriodFormatError,
  parsePeriod,
  Term,
  UnitCatalog,
  UnitVersion,
} from '@lgr/schema';

/** The field of a row a problem is about; `row` for problems of the row as a whole (duplicates). */
export type RowField = IngestColumn | 'row';

/** A problem with one row of a batch: its 0-based index, the field, a readable reason and a code. */
export interface RowProblem {
  readonly index: number;
  readonly field: RowField;
  readonly message: string;
  readonly code: ErrorCode;
}

/** A row that passed validation, its unit resolved to a unit version and its period normalised. */
export interface ValidRow {
  readonly index: number;
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  /** null when the row carries no value: the stored value is then left alone. */
  readonly value: number | null;
  /** null when the row carries no target: the stored target is then left alone. */
  readonly target: number | null;
}

export interface ValidationOptions {
  /** The subgraph's domain: indicators of other domains are refused. */
  readonly domain: Domain;
  readonly catalog: UnitCatalog;
  /** Units the caller may write; omitted for the platform's own loads (demo data). */
  readonly canWrite?: (unitId: string) => boolean;
  readonly terms?: readonly Term[];
  /** Today as YYYY-MM-DD (UTC): values for periods that start after it are refused. Default: the clock's date. */
  readonly today?: string;
}

/** The largest value or target accepted: sums of many such figures stay far from overflowing to Infinity. */
export const MAX_FIGURE = 1e15;

export interface ValidationResult {
  readonly rows: ValidRow[];
  readonly errors: RowProblem[];
}

const UNIT_VERSION_ID = /^(.+)@(\d{4}-\d{2}-\d{2})$/;

/** The key a stored figure is unique on. */
export function observationKey(row: { indicator: string; unitId: string; period: string }): string {
  return `${row.indicator}|${row.unitId}|${row.period}`;
}

function describePeriod(p: Period): string {
  return `${p.code} (${p.start}..${p.end})`;
}

function describeValidity(u: UnitVersion): string {
  return `${u.validFrom}..${u.validTo ?? 'today'}`;
}

function describeIndicatorTarget(indicator: Indicator): string {
  return indicator.targetGrain === 'TERM' ? 'a congress term (e.g. 2020-2025)' : 'a year (e.g. 2025)';
}

/**
 * Checks every row of a batch and reports every problem of every row (not just the first), each with
 * the row's index, the field and the reason. A row is valid when: its indicator is known and belongs
 * to this domain; a RATIO carries no value (it is computed from its numerator and denominator); the
 * period is well formed; the unit is a code that resolves for the period (the version valid at its
 * end, else the latest valid during it) or a unit version id valid on at least one day of it; value
 * and target are finite non-negative numbers and at least one is given; a target only where the
 * indicator takes one and only for its target period (a year or a term); a value only for a period
 * that has started (targets may be set ahead); value and target at most {@link MAX_FIGURE}; its key (indicator, unit
 * version, period) appears once in the batch; and the caller may write the unit.
 */
export function validateObservations(
  records: readonly ObservationRecord[],
  options: ValidationOptions,
): ValidationResult {
  const terms = options.terms ?? DEFAULT_TERMS;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const errors: RowProblem[] = [];
  const rows: ValidRow[] = [];
  const seen = new Map<string, number>();
  // A batch names few periods and repeats its units across indicators: each distinct period and
  // (unit, period) is parsed and resolved once per batch, not once per row.
  const periods = memo((text: string): { period: Period } | { problem: string } => {
    try {
      return { period: parsePeriod(text, terms) };
    } catch (error) {
      return { problem: error instanceof PeriodFormatError ? error.message : String(error) };
    }
  });
  const resolved = new Map<string, ReturnType<typeof resolveUnit>>();
  const units = {
    get(text: string, period: Period | undefined): ReturnType<typeof resolveUnit> {
      const key = `${text}\u0000${period?.code ?? ''}`;
      let result = resolved.get(key);
      if (!result) resolved.set(key, (result = resolveUnit(text, period, options.catalog)));
      return result;
    },
  };

  records.forEach((record, index) => {
    const problems: RowProblem[] = [];
    const problem = (field: RowField, code: ErrorCode, message: string): void => {
      problems.push({ index, field, code, message });
    };

    const indicatorCode = typeof record.indicator === 'string' ? record.indicator.trim() : '';
    const indicator = indicatorCode ? findIndicator(indicatorCode) : undefined;
    if (!indicatorCode) {
      problem('indicator', ErrorCode.UNKNOWN_INDICATOR, 'expected an indicator code, got an empty value');
    } else if (!indicator) {
      problem(
        'indicator',
        ErrorCode.UNKNOWN_INDICATOR,
        `unknown indicator "${indicatorCode}"; see the indicator catalogue`,
      );
    } else if (indicator.domain !== options.domain) {
      problem(
        'indicator',
        ErrorCode.BAD_USER_INPUT,
        `indicator ${indicator.code} belongs to the ${indicator.domain} domain, not ${options.domain}; send it to the ${indicator.domain.toLowerCase()} subgraph`,
      );
    }

    const periodText = typeof record.period === 'string' ? record.period : '';
    const parsed = periods.get(periodText);
    if ('problem' in parsed) problem('period', ErrorCode.INVALID_PERIOD, parsed.problem);
    const period = 'period' in parsed ? parsed.period : undefined;

    const unit = units.get(typeof record.unit === 'string' ? record.unit.trim() : '', period);
    if ('problem' in unit) {
      problem('unit', ErrorCode.UNIT_NOT_FOUND, unit.problem);
    } else if (unit.version && options.canWrite && !options.canWrite(unit.version.id)) {
      problem(
        'unit',
        ErrorCode.FORBIDDEN,
        `you may not write figures for unit ${unit.version.code} (${unit.version.id}): it is outside your units`,
      );
    }

    const value = checkNumber(record.value, 'value', problem);
    const target = checkNumber(record.target, 'target', problem);
    if (period && record.value != null && period.start > today) {
      problem(
        'period',
        ErrorCode.INVALID_PERIOD,
        `period ${period.code} starts on ${period.start}, after today (${today}): a value can only be recorded for a period that has started (a target for it may be recorded now)`,
      );
    }
    if (record.value == null && record.target == null) {
      problem('value', ErrorCode.BAD_USER_INPUT, 'expected a value, a target or both; both are empty');
    }
    if (indicator && indicator.rule === 'RATIO' && record.value != null) {
      problem(
        'value',
        ErrorCode.BAD_USER_INPUT,
        `${indicator.code} is a ratio computed from ${indicator.numerator} / ${indicator.denominator}; record those two indicators instead of a value (a ratio takes only a target)`,
      );
    }
    if (indicator && record.target != null) {
      if (!indicator.targetGrain) {
        problem('target', ErrorCode.BAD_USER_INPUT, `${indicator.code} takes no target; leave the target empty`);
      } else if (period && period.grain !== indicator.targetGrain) {
        problem(
          'target',
          ErrorCode.BAD_USER_INPUT,
          `a target for ${indicator.code} is set for ${describeIndicatorTarget(indicator)}, got period ${period.code}; record the value for ${period.code} and the target for its ${indicator.targetGrain === 'TERM' ? 'term' : 'year'}`,
        );
      }
    }

    if (!problems.length && indicator && period && 'version' in unit && unit.version) {
      const row: ValidRow = {
        index,
        indicator: indicator.code,
        unitId: unit.version.id,
        period: period.code,
        value,
        target,
      };
      const key = observationKey(row);
      const first = seen.get(key);
      if (first !== undefined) {
        problem(
          'row',
          ErrorCode.BAD_USER_INPUT,
          `duplicate of row ${first}: same indicator ${row.indicator}, unit ${row.unitId} and period ${row.period}`,
        );
      } else {
        seen.set(key, index);
        rows.push(row);
      }
    }
    errors.push(...problems);
  });
  return { rows, errors };
}

/** `fn` with its answers kept by argument, for the life of one validation. */
function memo<T>(fn: (key: string) => T): { get(key: string): T } {
  const answers = new Map<string, T>();
  return {
    get(key) {
      if (answers.has(key)) return answers.get(key)!;
      const answer = fn(key);
      answers.set(key, answer);
      return answer;
    },
  };
}

function checkNumber(
  input: unknown,
  field: 'value' | 'target',
  problem: (field: RowField, code: ErrorCode, message: string) => void,
): number | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'number' || !Number.isFinite(input)) {
    problem(field, ErrorCode.BAD_USER_INPUT, `expected a finite number for ${field}, got ${JSON.stringify(input)}`);
    return null;
  }
  if (input < 0) {
    problem(field, ErrorCode.BAD_USER_INPUT, `expected a non-negative number for ${field}, got ${input}`);
    return null;
  }
  if (input > MAX_FIGURE) {
    problem(field, ErrorCode.BAD_USER_INPUT, `expected ${field} at most ${MAX_FIGURE} (1e15), got ${input}`);
    return null;
  }
  return input;
}

/**
 * A unit as named in a row: a version id must exist and be valid on at least one day of the period;
 * a code resolves to the version valid at the period's end, else the latest valid during it. Without
 * a usable period only the existence of the unit is checked.
 */
function resolveUnit(
  text: string,
  period: Period | undefined,
  catalog: UnitCatalog,
): { version?: UnitVersion } | { problem: string } {
  if (!text) return { problem: 'expected a unit code or unit version id, got an empty value' };
  const asId = UNIT_VERSION_ID.exec(text);
  if (asId) {
    const version = catalog.get(text);
    if (!version) {
      const others = catalog.versionsOf(asId[1]!).map((u) => u.id);
      return {
        problem: `unit version ${text} does not exist${others.length ? `; versions of ${asId[1]}: ${others.join(', ')}` : `; no unit has code ${asId[1]}`}`,
      };
    }
    if (period && !isValidDuring(version, period)) {
      return {
        problem: `unit version ${text} (${version.name}, valid ${describeValidity(version)}) was not valid on any day of ${describePeriod(period)}`,
      };
    }
    return period ? { version } : {};
  }
  const versions = catalog.versionsOf(text);
  if (!versions.length) return { problem: `unit ${text} matches no administrative unit` };
  if (!period) return {};
  const version = catalog.resolveForSpan(text, period);
  if (!version) {
    return {
      problem: `unit ${text} did not exist during ${describePeriod(period)}; ${versions
        .map((u) => `${u.id} (${u.name}) was valid ${describeValidity(u)}`)
        .join('; ')}`,
    };
  }
  return { version };
}
