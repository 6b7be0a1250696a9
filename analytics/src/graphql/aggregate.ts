import { CatalogSource, Identity } from '@lgr/kit';
import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';
import { GraphQLError } from 'graphql';
import { AggregateOptions, AggregateRequest, AggregateRow, runAggregate } from '../engine';
import { currentCatalog } from '../sql/service';
import type { AnalyticsStore } from '../store';
import type { SourceStatus } from '../sync/syncer';
import { assertMayRead, assertMayReadIndicators, readableUnits } from './access';

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
}

/** Runs the engine once, counting the run. */
export function runEngine(services: AggregateServices, catalog: UnitCatalog, request: AggregateRequest, options: AggregateOptions): Promise<AggregateRow[]> {
  services.counters.engineRuns += 1;
  return runAggregate(services.store, catalog, request, options);
}

/** The aggregate input as GraphQL (or an export request) delivers it: absent fields may be null. */
export type AggregateInput = {
  [K in keyof AggregateRequest]?: AggregateRequest[K] | null;
};

export interface AggregateAnswer {
  readonly rows: AggregateRow[];
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
 */
export async function computeAggregate(services: AggregateServices, identity: Identity, input: AggregateInput): Promise<AggregateAnswer> {
  assertMayRead(identity);
  if (Array.isArray(input.indicators)) assertMayReadIndicators(identity, input.indicators);
  const catalog = currentCatalog(services.catalog);
  const units = readableUnits(identity, catalog);
  let rows: AggregateRow[];
  try {
    rows = await runEngine(services, catalog, toAggregateRequest(input), {
      scope: units.ids,
      timeoutMs: services.queryTimeoutMs,
      maxRows: services.maxRows,
    });
  } catch (error) {
    throw units.restricted ? hideExistence(error) : error;
  }
  const sources = services.sources();
  return { rows, sources, stale: sources.some((s) => s.stale) };
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
  return clientError(ErrorCode.FORBIDDEN, `Argument "units": you are not allowed to read unit "${unit}"`, { argument: 'units', unit });
}
