import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { adminUnitType, loadUnitRecords } from '@lgr/observations';
import type { AdminUnitKey, DomainContext } from '@lgr/observations';
import { clientError, DEFAULT_TERMS, ErrorCode } from '@lgr/schema';
import {
  PartyCongress,
  PartyOrganisation,
  PartyOrganisationKind,
  ResolutionTarget,
  ResolutionTargets,
  ResolutionTargetStatus,
} from './entities';

function checkTerm(term: string | undefined | null): string | undefined {
  if (term === undefined || term === null) return undefined;
  if (!DEFAULT_TERMS.some((t) => t.code === term)) {
    throw clientError(ErrorCode.INVALID_PERIOD, `Expected a congress term code such as 2020-2025, got "${term}"`, {
      argument: 'term',
    });
  }
  return term;
}

/** Summarises a term's targets: completed counts the outstandingly completed ones too. */
export function summariseTargets(items: readonly ResolutionTarget[]): ResolutionTargets['summary'] {
  const outstanding = items.filter((t) => t.status === ResolutionTargetStatus.OUTSTANDING).length;
  const completed = items.filter((t) => t.status === ResolutionTargetStatus.COMPLETED).length + outstanding;
  return { total: items.length, completed, outstanding, notCompleted: items.length - completed };
}

/** The Party building records of a unit, each scope-checked and loaded through DataLoaders. */
@Resolver(() => adminUnitType('PARTY'))
export class PartyRecordsResolver {
  @FieldResolver(() => [PartyOrganisation], { nullable: true, description: 'Party organisations of this unit version' })
  partyOrganisations(
    @Root() unit: AdminUnitKey,
    @Arg('kind', () => PartyOrganisationKind, { nullable: true }) kind: PartyOrganisationKind | undefined,
    @Ctx() ctx: DomainContext,
  ): Promise<PartyOrganisation[]> {
    return loadUnitRecords(ctx, PartyOrganisation, unit.id, kind ? { kind } : {}, { kind: 'asc', name: 'asc' });
  }

  @FieldResolver(() => [PartyCongress], {
    nullable: true,
    description: 'Party congresses of this unit version, optionally for one term',
  })
  partyCongresses(
    @Root() unit: AdminUnitKey,
    @Arg('term', () => String, { nullable: true, description: 'Term code, e.g. 2025-2030' }) term: string | undefined,
    @Ctx() ctx: DomainContext,
  ): Promise<PartyCongress[]> {
    const code = checkTerm(term);
    return loadUnitRecords(ctx, PartyCongress, unit.id, code ? { termCode: code } : {}, {
      termCode: 'asc',
      plannedDate: 'asc',
      body: 'asc',
    });
  }

  @FieldResolver(() => ResolutionTargets, {
    nullable: true,
    description: 'The Congress-resolution targets of a term and how they ended',
  })
  async congressResolutionTargets(
    @Root() unit: AdminUnitKey,
    @Arg('term', () => String, { description: 'Term code, e.g. 2020-2025' }) term: string,
    @Ctx() ctx: DomainContext,
  ): Promise<ResolutionTargets> {
    const code = checkTerm(term)!;
    const items = await loadUnitRecords(ctx, ResolutionTarget, unit.id, { termCode: code }, { ordinal: 'asc' });
    return { term: { code }, items, summary: summariseTargets(items) };
  }
}
