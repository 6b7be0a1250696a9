import DataLoader from 'dataloader';
import { currentCatalog, Identity, mayReadIndicator } from '@lgr/kit';
import {
  clientError,
  ErrorCode,
  findIndicator,
  isValidOn,
  onlyMeasures,
  tryParsePeriod,
  UnitCatalog,
} from '@lgr/schema';
import { AggregateRow, Measure, requestedMeasures } from '../engine';
import { assertMayRead, readableUnits } from '../aggregate/access';
import type { Generation, PendingAnswer } from '../aggregate/answer-cache';
import { AggregateServices, currentGeneration, measuresKey, runEngine } from '../aggregate/service';

/** One `AdminUnit.indicator(code, period, boundariesAsOf)` asked for within a request. */
export interface IndicatorValueKey {
  readonly unitId: string;
  readonly code: string;
  readonly period: string;
  readonly boundariesAsOf: string | null;
  /** The numbers the field's selection reads (`selectedValueMeasures`); absent for every number. */
  readonly measures?: readonly Measure[];
}

/** The numbers of one indicator of one unit for one period. */
export interface IndicatorValue {
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodValue: number | null;
  readonly samePeriodPct: number | null;
  readonly complete: boolean;
  readonly coverage: AggregateRow['coverage'];
  readonly targetMet: boolean | null;
  readonly note: string | null;
}

/** How a batch of keys is grouped into aggregate calls: one call per boundaries date and measures. */
export interface IndicatorBatch {
  readonly boundariesAsOf: string | null;
  readonly measures: readonly Measure[] | undefined;
  readonly indicators: string[];
  readonly units: string[];
  readonly periods: string[];
  /** Positions of the keys this call answers. */
  readonly keys: number[];
}

/**
 * Groups valid keys into as few aggregate calls as possible: every key with the same boundaries date
 * and measures goes into one call over the union of their indicators, units and periods (the engine answers the
 * cross product; the loader picks the rows that were asked for). When that cross product would be
 * much larger than what was asked for (many units each with its own period), the group is split by
 * period instead, so a batch never computes far more than it returns.
 */
export function planIndicatorBatches(keys: readonly IndicatorValueKey[], valid: readonly boolean[]): IndicatorBatch[] {
  const byDate = new Map<string, number[]>();
  keys.forEach((key, i) => {
    if (!valid[i]) return;
    const id = JSON.stringify([key.boundariesAsOf, measuresKey(key.measures)]);
    const list = byDate.get(id);
    if (list) list.push(i);
    else byDate.set(id, [i]);
  });
  const batches: IndicatorBatch[] = [];
  for (const positions of byDate.values()) {
    const whole = batchOf(keys, positions);
    if (whole.indicators.length * whole.units.length * whole.periods.length <= 4 * positions.length + 100) {
      batches.push(whole);
      continue;
    }
    const byPeriod = new Map<string, number[]>();
    for (const i of positions) {
      const code = periodCode(keys[i]!.period);
      const list = byPeriod.get(code);
      if (list) list.push(i);
      else byPeriod.set(code, [i]);
    }
    for (const list of byPeriod.values()) batches.push(batchOf(keys, list));
  }
  return batches;
}

function batchOf(keys: readonly IndicatorValueKey[], positions: number[]): IndicatorBatch {
  const indicators = new Set<string>();
  const units = new Set<string>();
  const periods = new Set<string>();
  for (const i of positions) {
    indicators.add(keys[i]!.code);
    units.add(keys[i]!.unitId);
    periods.add(periodCode(keys[i]!.period));
  }
  return {
    boundariesAsOf: keys[positions[0]!]!.boundariesAsOf,
    measures: keys[positions[0]!]!.measures,
    indicators: [...indicators],
    units: [...units],
    periods: [...periods],
    keys: positions,
  };
}

/** The canonical code of a period that is known to parse. */
function periodCode(code: string): string {
  return tryParsePeriod(code)!.code;
}

function rowKey(indicator: string, unitId: string, period: string): string {
  return `${indicator}\u0000${unitId}\u0000${period}`;
}

/**
 * The cache key of one unit's indicator value with some numbers (every number without `measures`).
 * Every key is checked against the caller's scope before its value is looked up, and the value of a
 * unit does not depend on who asks, so the key names no scope.
 */
export function indicatorCacheKey(
  unitId: string,
  code: string,
  period: string,
  boundariesAsOf: string | null,
  measures?: readonly Measure[],
): string {
  return JSON.stringify(['indicator', unitId, code, period, boundariesAsOf, measuresKey(measures)]);
}

/** About how many bytes a kept indicator value takes, with its key. */
const VALUE_BYTES = 300;

function toValue(row: AggregateRow): IndicatorValue {
  return Object.freeze({
    value: row.value,
    target: row.target,
    achievementPct: row.achievementPct,
    samePeriodValue: row.samePeriodValue,
    samePeriodPct: row.samePeriodPct,
    complete: row.complete,
    coverage: row.coverage,
    targetMet: row.targetMet,
    note: row.note,
  });
}

/**
 * The value of a unit version for a period on whose boundaries date it is not valid (an abolished
 * district after the reform): no numbers and the reason, as `aggregate` answers for its code.
 */
function notValidValue(
  unitId: string,
  code: string,
  date: string,
  validFrom: string,
  validTo: string | null,
): IndicatorValue {
  const when = validTo !== null && validTo < date ? `it ended on ${validTo}` : `it began on ${validFrom}`;
  return Object.freeze({
    value: null,
    target: null,
    achievementPct: null,
    samePeriodValue: null,
    samePeriodPct: null,
    complete: false,
    coverage: { value: 0, target: 0, yearToDate: 0, samePeriod: 0 },
    targetMet: null,
    note: `Unit ${code} (${unitId}) has no version valid on ${date} (${when}); ask with boundariesAsOf for a date it was valid, or for the units that took over its territory`,
  });
}

/** A loaded value, or the error that fails only its field. */
type Result = IndicatorValue | null | Error;

/** The units a caller may read (undefined for all), as `readableUnits` gives them. */
type Readable = ReturnType<typeof readableUnits>;

/**
 * Checks each key on its own: a key that fails gets its client error in \`results\` (only its field
 * fails); the others are marked valid.
 */
function checkKeys(
  keys: readonly IndicatorValueKey[],
  identity: Identity,
  catalog: UnitCatalog,
  units: Readable,
  results: Result[],
): boolean[] {
  return keys.map((key, i) => {
    if (!findIndicator(key.code)) {
      results[i] = clientError(
        ErrorCode.UNKNOWN_INDICATOR,
        `Argument "code": no indicator has the code ${JSON.stringify(key.code)}`,
        { argument: 'code' },
      );
    } else if (!tryParsePeriod(key.period)) {
      results[i] = clientError(
        ErrorCode.INVALID_PERIOD,
        `Argument "period": "${key.period}" is not a period code (YYYY, YYYYS1, YYYYQ3, YYYYMM or a term)`,
        { argument: 'period' },
      );
    } else if (!mayReadIndicator(identity, key.code)) {
      results[i] = clientError(ErrorCode.FORBIDDEN, `You are not allowed to read the indicator ${key.code}`, {
        argument: 'code',
      });
    } else if (units.ids && !units.ids.has(key.unitId)) {
      results[i] = clientError(ErrorCode.FORBIDDEN, 'You are not allowed to access this unit');
    } else if (!catalog.get(key.unitId)) {
      results[i] = clientError(ErrorCode.UNIT_NOT_FOUND, `No unit version has the id "${key.unitId}"`);
    } else {
      // The same series as `aggregate` gives for the unit's code: no numbers where it is not valid.
      const unit = catalog.get(key.unitId)!;
      const date = key.boundariesAsOf ?? tryParsePeriod(key.period)!.end;
      if (isValidOn(unit, date)) return true;
      results[i] = notValidValue(unit.id, unit.code, date, unit.validFrom, unit.validTo);
    }
    return false;
  });
}

/** What the cache said about the valid keys of a batch. */
interface Lookup {
  /** Keys neither kept nor being computed: this request computes them. */
  readonly missing: boolean[];
  /** The answers this request promised to compute, by key position. */
  readonly pending: Map<number, PendingAnswer<IndicatorValue | null>>;
  /** Answers being computed by another request, which fill \`results\` when they arrive. */
  readonly waiting: Promise<void>[];
}

/** Fills \`results\` with the kept values, waits for those being computed, and claims the rest. */
function lookUpKept(
  services: AggregateServices,
  generation: Generation,
  keys: readonly IndicatorValueKey[],
  valid: readonly boolean[],
  results: Result[],
): Lookup {
  const missing = keys.map(() => false);
  const pending = new Map<number, PendingAnswer<IndicatorValue | null>>();
  const waiting: Promise<void>[] = [];
  keys.forEach((key, i) => {
    if (!valid[i]) return;
    const period = periodCode(key.period);
    const cacheKey = indicatorCacheKey(key.unitId, key.code, period, key.boundariesAsOf, key.measures);
    // A value of fewer numbers is also the kept value with every number, less the others.
    const found = services.cache.findWithin<IndicatorValue | null>(
      generation,
      cacheKey,
      indicatorCacheKey(key.unitId, key.code, period, key.boundariesAsOf),
      (every) => every && Object.freeze(onlyMeasures(every, requestedMeasures(key.measures))),
    );
    if (found && 'value' in found) {
      results[i] = found.value;
    } else if (found) {
      waiting.push(
        found.pending.then(
          (value) => void (results[i] = value),
          (error: unknown) => void (results[i] = error as Error),
        ),
      );
    } else {
      missing[i] = true;
      pending.set(i, services.cache.begin(generation, cacheKey));
    }
  });
  return { missing, pending, waiting };
}

/** What one engine run of a batch works with. */
interface BatchRun {
  readonly services: AggregateServices;
  readonly catalog: UnitCatalog;
  readonly units: Readable;
  readonly generation: Generation;
  readonly keys: readonly IndicatorValueKey[];
  readonly results: Result[];
  readonly pending: Lookup['pending'];
}

/**
 * Runs the engine for one batch, keeps every value it computed and settles the batch's keys (with
 * their value, or the run's error).
 */
async function computeBatch(
  { services, catalog, units, generation, keys, results, pending }: BatchRun,
  batch: IndicatorBatch,
): Promise<void> {
  try {
    const rows = await runEngine(
      services,
      catalog,
      {
        indicators: batch.indicators,
        units: batch.units,
        periods: batch.periods,
        ...(batch.boundariesAsOf ? { boundariesAsOf: batch.boundariesAsOf } : {}),
        ...(batch.measures ? { measures: [...batch.measures] } : {}),
      },
      {
        scope: units.ids,
        timeoutMs: services.queryTimeoutMs,
        maxRows: Math.max(services.maxRows, batch.indicators.length * batch.units.length * batch.periods.length),
      },
    );
    const found = new Map<string, IndicatorValue>();
    for (const row of rows) {
      if (row.total) continue;
      const value = toValue(row);
      found.set(rowKey(row.indicator, row.unitId, row.period), value);
      // The rest of the cross product is as good an answer for a later request.
      services.cache.put(
        generation,
        indicatorCacheKey(row.unitId, row.indicator, row.period, batch.boundariesAsOf, batch.measures),
        value,
        VALUE_BYTES,
      );
    }
    for (const i of batch.keys) {
      const key = keys[i]!;
      const value = found.get(rowKey(key.code, key.unitId, periodCode(key.period))) ?? null;
      results[i] = value;
      pending.get(i)!.resolve(value, VALUE_BYTES);
    }
  } catch (error) {
    for (const i of batch.keys) {
      results[i] = error as Error;
      pending.get(i)!.reject(error);
    }
  }
}

/**
 * A per-request loader for `AdminUnit.indicator`: a dashboard asking for hundreds of units is
 * answered by one aggregate call per boundaries date. Each key is checked on its own, so a unit
 * outside the caller's scope (FORBIDDEN), an unknown indicator or a bad period fails only its field.
 * Values are kept across requests for the same data (every value an engine run computes, including
 * the rest of its cross product), so only the keys not kept and not being computed by another
 * request are computed.
 */
export function createIndicatorLoader(
  services: AggregateServices,
  identity: Identity,
): DataLoader<IndicatorValueKey, IndicatorValue | null, string> {
  return new DataLoader<IndicatorValueKey, IndicatorValue | null, string>(
    async (keys) => {
      assertMayRead(identity);
      const catalog = currentCatalog(services.catalog);
      const units = readableUnits(identity, catalog);
      const results: Result[] = keys.map(() => null);
      const valid = checkKeys(keys, identity, catalog, units, results);
      const generation = currentGeneration(services, catalog);
      const { missing, pending, waiting } = lookUpKept(services, generation, keys, valid, results);
      const run: BatchRun = { services, catalog, units, generation, keys, results, pending };
      await Promise.all(planIndicatorBatches(keys, missing).map((batch) => computeBatch(run, batch)));
      await Promise.all(waiting);
      return results;
    },
    {
      cacheKeyFn: (key) =>
        JSON.stringify([key.unitId, key.code, key.period, key.boundariesAsOf, measuresKey(key.measures)]),
      maxBatchSize: 2000,
    },
  );
}
