import { CatalogSource, currentCatalog, Identity } from '@lgr/kit';
import { clientError, ErrorCode, onlyMeasures, UnitCatalog } from '@lgr/schema';
import { GraphQLError } from 'graphql';
import {
  AggregateOptions,
  AggregateRequest,
  AggregateRow,
  MEASURE_VALUES,
  requestedMeasures,
  runAggregate,
} from '../engine';
import type { AnalyticsStore } from '../store';
import type { SourceStatus } from '../sync/syncer';
import { assertMayRead, assertMayReadIndicators, readableUnits } from './access';
import { AnswerCache, Generation } from './answer-cache';

/** What the aggregate API needs from the running service. */
export interface AggregateServices {
  readonly store: AnalyticsStore;
  readonly catalog: CatalogSource;
  /** The status of every feed, as of now. */
  readonly sources: () => SourceStatus[];
  /** Each aggregate is interrupted after this long. */
  readonly queryTimeoutMs: number;
  /** Largest answer of one aggregate, in rows. */
  readonly maxRows: number;
  /** Counts the engine runs, so that batching can be observed. */
  readonly counters: { engineRuns: number };
  /** Answers (rows, never sources) kept for the same question on the same data. */
  readonly cache: AnswerCache;
}

/**
 * The state of the data an answer is computed from now. Read before computing: the store's version
 * grows only after a write is committed, so an answer is never older than the generation it is kept
 * under.
 */
export function currentGeneration(services: AggregateServices, catalog: UnitCatalog): Generation {
  return { version: services.store.version, digest: catalog.digest() };
}

const scopeIds = new WeakMap<ReadonlySet<string>, number>();
let nextScopeId = 0;

/**
 * A key for the units a caller may read. Scopes are made once per claim and catalogue (and kept), so
 * two callers with the same claim share one set and one key; two sets never share a key, whatever
 * they hold, so a restricted answer is never handed to another scope.
 */
export function scopeKey(ids: ReadonlySet<string> | undefined): string {
  if (!ids) return 'all';
  let id = scopeIds.get(ids);
  if (id === undefined) scopeIds.set(ids, (id = nextScopeId++));
  return `scope:${id}`;
}

/** The fields of a request, in a fixed order, that make its answer. */
const REQUEST_FIELDS = [
  'indicators',
  'units',
  'periods',
  'from',
  'to',
  'grain',
  'level',
  'boundariesAsOf',
  'groupBy',
  'totals',
  'measures',
] as const;

/**
 * The cache key of an aggregate request for a scope: the request's fields in a fixed order (absent
 * ones as null; lists as given, since their order is the answer's order).
 */
export function aggregateCacheKey(request: AggregateRequest, scope: string): string {
  return JSON.stringify([
    'aggregate',
    scope,
    ...REQUEST_FIELDS.map((field) => (field === 'measures' ? measuresKey(request.measures) : (request[field] ?? null))),
  ]);
}

/**
 * The measures of a request as its cache key has them: null for every number (asked for by name or by
 * default), else the valid ones asked for in a fixed order; a list with an unknown measure as it is.
 */
export function measuresKey(measures: readonly unknown[] | undefined): unknown {
  if (!Array.isArray(measures)) return measures ?? null;
  if (!measures.every((m) => MEASURE_VALUES.includes(m as never))) return measures;
  const asked = MEASURE_VALUES.filter((m) => measures.includes(m));
  return asked.length === MEASURE_VALUES.length ? null : asked;
}

/** About how many bytes the rows of an answer take in memory, to bound the cache. */
export function rowsBytes(rows: readonly AggregateRow[]): number {
  let bytes = 64;
  for (const r of rows) {
    bytes +=
      160 +
      2 *
        (r.indicator.length +
          r.unitId.length +
          r.unitCode.length +
          r.period.length +
          (r.term?.length ?? 0) +
          r.boundariesAsOf.length);
  }
  return bytes;
}

/** Runs the engine once, counting the run. */
export function runEngine(
  services: AggregateServices,
  catalog: UnitCatalog,
  request: AggregateRequest,
  options: AggregateOptions,
): Promise<AggregateRow[]> {
  services.counters.engineRuns += 1;
  return runAggregate(services.store, catalog, request, options);
}

/** The aggregate input as GraphQL (or an export request) delivers it: absent fields may be null. */
export type AggregateInput = {
  [K in keyof AggregateRequest]?: AggregateRequest[K] | null;
};

export interface AggregateAnswer {
  readonly rows: readonly AggregateRow[];
  readonly sources: SourceStatus[];
  readonly stale: boolean;
}

/** The engine request for an input: null fields are left out. */
export function toAggregateRequest(input: AggregateInput): AggregateRequest {
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== null && value !== undefined) request[key] = value;
  return request as unknown as AggregateRequest;
}

/**
 * Computes an aggregate for `identity`: every requested unit must lie in the caller's scope (the
 * engine checks each unit as it resolves it), and the query is interrupted after the configured time.
 * The rows are kept for the same request from the same scope on the same data; the identity's role and
 * indicators are checked on every call, and the sources' status is always read afresh.
 */
export async function computeAggregate(
  services: AggregateServices,
  identity: Identity,
  input: AggregateInput,
): Promise<AggregateAnswer> {
  assertMayRead(identity);
  if (Array.isArray(input.indicators)) assertMayReadIndicators(identity, input.indicators);
  const catalog = currentCatalog(services.catalog);
  const units = readableUnits(identity, catalog);
  const request = toAggregateRequest(input);
  const generation = currentGeneration(services, catalog);
  const scope = scopeKey(units.ids);
  const key = aggregateCacheKey(request, scope);
  let rows: readonly AggregateRow[];
  try {
    // A question of fewer numbers is also answered by the same question's answer with every number.
    const found = services.cache.findWithin<readonly AggregateRow[]>(
      generation,
      key,
      aggregateCacheKey({ ...request, measures: undefined }, scope),
      (every) => freezeRows(every.map((row) => onlyMeasures(row, requestedMeasures(request.measures)))),
    );
    rows = found
      ? 'value' in found
        ? found.value
        : await found.pending
      : await services.cache.get(
          generation,
          key,
          async () =>
            freezeRows(
              await runEngine(services, catalog, request, {
                scope: units.ids,
                timeoutMs: services.queryTimeoutMs,
                maxRows: services.maxRows,
              }),
            ),
          rowsBytes,
        );
  } catch (error) {
    throw units.restricted ? hideExistence(error) : error;
  }
  const sources = services.sources();
  return { rows, sources, stale: sources.some((s) => s.stale) };
}

/** Rows handed to many callers must not be changed by any of them. */
function freezeRows(rows: readonly AggregateRow[]): readonly AggregateRow[] {
  for (const row of rows) Object.freeze(row);
  return Object.freeze(rows);
}

/**
 * For a caller with a restricted scope, a unit that does not exist is refused exactly like a unit
 * outside the scope, so that no answer tells such a caller what exists beyond their units.
 */
export function hideExistence(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const code = error.extensions?.code;
  if (code !== ErrorCode.UNIT_NOT_FOUND && code !== ErrorCode.FORBIDDEN) return error;
  const unit = String(error.extensions?.unit ?? '');
  return clientError(ErrorCode.FORBIDDEN, `Argument "units": you are not allowed to read unit "${unit}"`, {
    argument: 'units',
    unit,
  });
}
