import { Arg, Ctx, FieldResolver, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { canWrite } from '@lgr/kit';
import { clientError, Domain, ErrorCode, fromObservationColumns, ObservationRecord, tryParsePeriod } from '@lgr/schema';
import type { DomainContext } from '../context';
import { inScope } from '../context';
import { recordObservations } from '../record';
import { StoredObservation } from '../store';
import type { AdminUnitKey } from './types';
import { adminUnitType, Figure, ObservationColumnsScalar, ObservationInput, RecordObservationsPayload } from './types';

/** Rows accepted in one `recordObservations` call; the ingest CLI sends batches of 5,000. */
export const MAX_BATCH_ROWS = 10_000;

/** `party`, `economy`, `social`: the namespace field and the prefix of the domain's AdminUnit fields. */
export function domainPrefix(domain: Domain): string {
  return domain.toLowerCase();
}

function capitalised(domain: Domain): string {
  return domain.charAt(0) + domain.slice(1).toLowerCase();
}

/** The GraphQL shape of a stored figure. */
export function toFigure(o: StoredObservation): Figure {
  return {
    indicator: { code: o.indicator },
    unitId: o.unitId,
    period: o.period,
    value: o.value,
    target: o.target,
    updatedAt: o.updatedAt,
  };
}

const cache = new Map<Domain, Function[]>();

/**
 * The resolvers every domain subgraph has, named after its domain so that composition keeps them
 * apart: `Mutation.<domain>: <Domain>Mutation!` with `recordObservations`, and
 * `AdminUnit.<domain>Figures`. The classes are made once per domain and process.
 */
export function observationResolvers(domain: Domain): Function[] {
  const cached = cache.get(domain);
  if (cached) return cached;
  const prefix = domainPrefix(domain);
  const typeName = `${capitalised(domain)}Mutation`;

  @ObjectType(typeName, { description: `Writes of the ${prefix} subgraph` })
  class DomainMutation {}

  @Resolver()
  class DomainMutationRoot {
    // Nullable, so that when one domain subgraph is down a mutation that also writes to another
    // still reports that other write instead of losing the whole answer to null propagation.
    @Mutation(() => DomainMutation, {
      name: prefix,
      nullable: true,
      description: `Writes of the ${prefix} subgraph (figures of ${domain} indicators)`,
    })
    namespace(): DomainMutation {
      return new DomainMutation();
    }
  }

  @Resolver(() => DomainMutation)
  class DomainMutationResolver {
    @FieldResolver(() => RecordObservationsPayload, {
      nullable: true,
      description:
        'Validates every row and writes all of them in one transaction, or none; dryRun validates without writing',
    })
    async recordObservations(
      @Arg('input', () => [ObservationInput], { validate: false }) input: ObservationInput[],
      @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean | null,
      @Ctx() ctx: DomainContext,
    ): Promise<RecordObservationsPayload> {
      return recordBatch(ctx, domain, input, dryRun === true, 'input');
    }

    @FieldResolver(() => RecordObservationsPayload, {
      nullable: true,
      description:
        'recordObservations with the rows as columns: { indicator: [...], unit: [...], period: [...], value: [...], target: [...] }, row i being the i-th cell of each; the same checks, transaction and answer',
    })
    async recordObservationColumns(
      // Checked by fromObservationColumns below; class-validator has nothing to say about a plain object.
      @Arg('columns', () => ObservationColumnsScalar, { validate: false }) columns: unknown,
      @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean | null,
      @Ctx() ctx: DomainContext,
    ): Promise<RecordObservationsPayload> {
      // The caller's role first: who may not write learns nothing about the batch.
      assertWriter(ctx);
      const read = fromObservationColumns(columns);
      if ('problem' in read) {
        const { index, field, message } = read.problem;
        throw clientError(
          ErrorCode.BAD_USER_INPUT,
          `columns${index === null ? '' : `: row ${index}`}${field === null ? '' : `: ${field}`}: ${message}`,
          { argument: 'columns', index, field },
        );
      }
      return recordBatch(ctx, domain, read.records, dryRun === true, 'columns');
    }
  }

  @Resolver(() => adminUnitType(domain))
  class DomainFiguresResolver {
    @FieldResolver(() => [Figure], {
      name: `${prefix}Figures`,
      nullable: true,
      description: `Figures of ${domain} indicators recorded for this unit version, optionally for one period (exact code) and some indicators`,
    })
    async figures(
      @Root() unit: AdminUnitKey,
      @Arg('period', () => String, { nullable: true }) period: string | undefined,
      @Arg('indicators', () => [String], { nullable: true }) indicators: string[] | undefined,
      @Ctx() ctx: DomainContext,
    ): Promise<Figure[]> {
      let periodCode: string | undefined;
      if (period !== undefined && period !== null) {
        const parsed = tryParsePeriod(period);
        if (!parsed)
          throw clientError(
            ErrorCode.INVALID_PERIOD,
            `Expected a period code such as 2025, 2025S1, 2025Q3, 202507 or 2020-2025, got "${period}"`,
            { argument: 'period' },
          );
        periodCode = parsed.code;
      }
      return inScope(ctx, unit.id, async () =>
        (await ctx.loaders.figures(unit.id, periodCode, indicators ?? undefined)).map(toFigure),
      );
    }
  }

  const resolvers = [DomainMutationRoot, DomainMutationResolver, DomainFiguresResolver];
  cache.set(domain, resolvers);
  return resolvers;
}

function assertWriter(ctx: DomainContext): void {
  if (!canWrite(ctx.identity)) {
    throw clientError(
      ErrorCode.FORBIDDEN,
      `Recording figures needs the editor or admin role; your role is ${ctx.identity.role}`,
    );
  }
}

/** Checks the caller and the batch size, then validates and writes (or dry-runs) one batch. */
async function recordBatch(
  ctx: DomainContext,
  domain: Domain,
  input: readonly ObservationRecord[],
  dryRun: boolean,
  argument: string,
): Promise<RecordObservationsPayload> {
  assertWriter(ctx);
  if (input.length > MAX_BATCH_ROWS) {
    throw clientError(
      ErrorCode.BATCH_TOO_LARGE,
      `Expected at most ${MAX_BATCH_ROWS} rows per call, got ${input.length}; split the batch`,
      { argument },
    );
  }
  const scope = ctx.scope();
  const result = await recordObservations(ctx.em, input, {
    domain,
    catalog: ctx.catalog(),
    canWrite: (unitId) => scope.includes(unitId),
    dryRun,
  });
  if (!dryRun && result.ok) {
    ctx.log.info(
      { inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, sub: ctx.identity.sub },
      'observations recorded',
    );
  }
  return {
    ok: result.ok,
    inserted: result.inserted,
    updated: result.updated,
    unchanged: result.unchanged,
    errors: result.errors,
  };
}

/** Entity reference resolution for the extended `AdminUnit`: the key is all this subgraph needs. */
export const adminUnitReference = {
  AdminUnit: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
};
