import { Arg, Ctx, FieldResolver, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { canWrite } from '@lgr/kit';
import { clientError, Domain, ErrorCode, fromObservationColumns, ObservationRecord, tryParsePeriod } from '@lgr/schema';
import type { DomainContext } from '../context';
import { inScope } from '../context';
import { recordObservations, stageRecords } from '../record';
import { commitStage, discardStage, ownerOf, RUN_ID, StageOwner } from '../stage';
import { StoredObservation } from '../store';
import type { AdminUnitKey } from './types';
import {
  adminUnitType,
  Figure,
  ObservationColumnsScalar,
  ObservationInput,
  RecordObservationsPayload,
  StageObservationsPayload,
} from './types';

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
      return recordBatch(ctx, domain, columnsOrThrow(columns), dryRun === true, 'columns');
    }

    @FieldResolver(() => StageObservationsPayload, {
      nullable: true,
      description:
        'Validates a batch (given as in recordObservationColumns) and, when every row is good, adds it to the ingest run `run` (an id the caller chooses, 8-64 letters, digits, - or _) without writing it; commitObservationStage writes the whole run',
    })
    async stageObservationColumns(
      @Arg('run', () => String) run: string,
      @Arg('columns', () => ObservationColumnsScalar, { validate: false }) columns: unknown,
      @Ctx() ctx: DomainContext,
    ): Promise<StageObservationsPayload> {
      const who = stageOwner(ctx, run);
      const records = columnsOrThrow(columns);
      assertBatchSize(records.length, 'columns');
      const scope = ctx.scope();
      return stageRecords(ctx.em, run, who, records, {
        domain,
        catalog: ctx.catalog(),
        canWrite: (unitId) => scope.includes(unitId),
      });
    }

    @FieldResolver(() => RecordObservationsPayload, {
      nullable: true,
      description:
        'Writes every row staged in the ingest run `run` in one transaction and ends the run; a run already committed answers its counts again and writes nothing; refused (RUN_CONFLICT) when the unit catalogue changed since the run started',
    })
    async commitObservationStage(
      @Arg('run', () => String) run: string,
      @Ctx() ctx: DomainContext,
    ): Promise<RecordObservationsPayload> {
      const counts = await commitStage(ctx.em, run, stageOwner(ctx, run));
      ctx.log.info({ run, ...counts, sub: ctx.identity.sub }, 'staged observations committed');
      return { ok: true, ...counts, errors: [] };
    }

    @FieldResolver(() => Boolean, {
      nullable: true,
      description:
        'Drops the ingest run `run` and its staged rows; false when there was nothing to drop (no such run, or a committed one)',
    })
    async discardObservationStage(@Arg('run', () => String) run: string, @Ctx() ctx: DomainContext): Promise<boolean> {
      return discardStage(ctx.em, run, stageOwner(ctx, run));
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

/** The rows of an `ObservationColumns` argument, or a BAD_USER_INPUT error naming the bad row and column. */
function columnsOrThrow(columns: unknown): ObservationRecord[] {
  const read = fromObservationColumns(columns);
  if (!('problem' in read)) return read.records;
  const { index, field, message } = read.problem;
  throw clientError(
    ErrorCode.BAD_USER_INPUT,
    `columns${index === null ? '' : `: row ${index}`}${field === null ? '' : `: ${field}`}: ${message}`,
    { argument: 'columns', index, field },
  );
}

function assertBatchSize(rows: number, argument: string): void {
  if (rows > MAX_BATCH_ROWS) {
    throw clientError(
      ErrorCode.BATCH_TOO_LARGE,
      `Expected at most ${MAX_BATCH_ROWS} rows per call, got ${rows}; split the batch`,
      { argument },
    );
  }
}

/** The caller as the owner of an ingest run (writers only), once the run id is checked. */
function stageOwner(ctx: DomainContext, run: string): StageOwner {
  assertWriter(ctx);
  if (!RUN_ID.test(run))
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `Expected a run id of 8 to 64 letters, digits, - or _, got ${JSON.stringify(run.slice(0, 80))}`,
      { argument: 'run' },
    );
  return { owner: ownerOf(ctx.identity), catalogue: ctx.catalog().digest() };
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
  assertBatchSize(input.length, argument);
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
