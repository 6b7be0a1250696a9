import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { DateScalar, LevelEnum } from '@lgr/kit';
import { clientError, ErrorCode, isValidOn, today } from '@lgr/schema';
import type { Level, UnitShare as UnitShareValue, UnitVersion } from '@lgr/schema';
import type { ReferenceContext } from '../context';
import { searchKey } from '../search';
import { listUnits, versionsOfCode } from '../units';
import type { UnitRecord } from '../units';
import { decodeCursor, encodeCursor } from './cursor';
import { AdminUnit, AdminUnitConnection, UnitShare } from './types';

/** Largest page `units` returns; more is refused rather than silently cut. */
export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 50;

function describeVersions(code: string, versions: readonly UnitVersion[]): string {
  if (!versions.length) return `no unit has ever had code "${code}"`;
  const spans = versions.map((v) => `${v.validFrom} to ${v.validTo ?? 'now'}`);
  return `code "${code}" is valid ${spans.join(', ')}`;
}

function unitNotFound(code: string, date: string, versions: readonly UnitVersion[], argument = 'code'): Error {
  return clientError(
    ErrorCode.UNIT_NOT_FOUND,
    `No unit with code "${code}" is valid on ${date}; ${describeVersions(code, versions)}`,
    {
      argument,
      unitCode: code,
      asOf: date,
    },
  );
}

@ArgsType()
class UnitArgs {
  @Field(() => String, { nullable: true, description: 'Resolved as of asOf' })
  code?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'A unit version id (`<code>@<validFrom>`); asOf is not used with it',
  })
  id?: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'Default: today, falling back to the latest version of the code',
  })
  asOf?: string | null;
}

@ArgsType()
class UnitsArgs {
  @Field(() => LevelEnum, { nullable: true })
  level?: Level | null;

  @Field(() => String, {
    nullable: true,
    description: 'A unit code, resolved at asOf: its children, or with `level` every unit at that level inside it',
  })
  parent?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Default: today' })
  asOf?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Part of a name or code, with or without Vietnamese accents, any case',
  })
  search?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE, description: `At most ${MAX_PAGE}` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'A cursor from a previous page' })
  after?: string | null;
}

/**
 * Overlaps above the communes are sums of many lineage fractions, so a unit that went over whole can
 * come out as 0.9999999999999972. The catalogue itself treats anything within 1e-9 of 1 as whole; the
 * API says 1 for it, so that clients can compare with 1.
 */
function cleanShares(shares: readonly UnitShareValue[]): UnitShareValue[] {
  return shares.map((s) => (Math.abs(s.share - 1) < 1e-9 ? { unit: s.unit, share: 1 } : s));
}

@Resolver(() => AdminUnit)
export class AdminUnitResolver {
  @Query(() => AdminUnit, {
    nullable: true,
    description:
      'One unit version, by id or by code. A code is resolved as of `asOf`; without `asOf` it is the version valid today, or the latest version when the code is no longer in use (e.g. a district abolished in 2025).',
  })
  async unit(@Ctx() ctx: ReferenceContext, @Args(() => UnitArgs) { code, id, asOf }: UnitArgs): Promise<UnitRecord> {
    if (id != null && code != null) {
      throw clientError(
        ErrorCode.BAD_USER_INPUT,
        `unit: expected either code or id, got both (code "${code}", id "${id}")`,
        { argument: 'id' },
      );
    }
    if (id != null) {
      const unit = await ctx.loaders.unitById.load(id);
      if (!unit)
        throw clientError(ErrorCode.UNIT_NOT_FOUND, `No unit version has id "${id}"; ids look like "304@2000-01-01"`, {
          argument: 'id',
          id,
        });
      return unit;
    }
    if (code == null) {
      throw clientError(
        ErrorCode.BAD_USER_INPUT,
        'unit: expected a code (optionally with asOf) or an id, got neither',
        { argument: 'code' },
      );
    }
    const versions = await versionsOfCode(ctx.em, code);
    const date = asOf ?? today();
    const valid = versions.find((v) => isValidOn(v, date));
    if (valid) return valid;
    // Without an explicit date, a code that is no longer in use still names its last version: a
    // report about a district abolished in 2025 asks for it by its code.
    if (asOf == null && versions.length) return versions[versions.length - 1]!;
    throw unitNotFound(code, date, versions);
  }

  @Query(() => AdminUnitConnection, {
    description: 'Units valid on `asOf` (default today), in a stable order, a page at a time',
  })
  async units(
    @Ctx() ctx: ReferenceContext,
    @Args(() => UnitsArgs) { level, parent, asOf, search, first, after }: UnitsArgs,
  ): Promise<AdminUnitConnection> {
    const limit = first ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE) {
      throw clientError(
        ErrorCode.BAD_USER_INPUT,
        `first: expected 0 to ${MAX_PAGE}, got ${limit}; page through longer lists with after`,
        {
          argument: 'first',
        },
      );
    }
    const date = asOf ?? today();
    const afterPosition = after != null ? decodeCursor(after) : undefined;
    let insideId: string | undefined;
    if (parent != null) {
      const versions = await versionsOfCode(ctx.em, parent);
      const unit = versions.find((v) => isValidOn(v, date));
      if (!unit) throw unitNotFound(parent, date, versions, 'parent');
      insideId = unit.id;
    }
    const folded = search != null ? searchKey(search) : '';
    if (search != null && !folded) {
      throw clientError(ErrorCode.BAD_USER_INPUT, `search: expected letters or digits, got ${JSON.stringify(search)}`, {
        argument: 'search',
      });
    }
    const { rows, total } = await listUnits(ctx.em, {
      asOf: date,
      level: level ?? undefined,
      insideId,
      search: folded || undefined,
      afterPosition,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const edges = page.map((node) => ({ cursor: encodeCursor(node.position), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.length ? edges[edges.length - 1]!.cursor : null },
      totalCount: total,
    };
  }

  @FieldResolver(() => AdminUnit, {
    nullable: true,
    description: 'The unit this version belongs to; null for a province',
  })
  async parent(@Root() unit: UnitVersion, @Ctx() ctx: ReferenceContext): Promise<UnitVersion | null> {
    return unit.parentId ? ctx.loaders.unitById.load(unit.parentId) : null;
  }

  @FieldResolver(() => [AdminUnit], {
    description: 'Units directly under this version: those valid on asOf, or all of them without it',
  })
  async children(
    @Root() unit: UnitVersion,
    @Ctx() ctx: ReferenceContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: string | null,
  ): Promise<UnitVersion[]> {
    const children = await ctx.loaders.childrenOf.load(unit.id);
    return asOf == null ? children : children.filter((c) => isValidOn(c, asOf));
  }

  @FieldResolver(() => [AdminUnit], { description: 'Parent, grandparent, ... up to the province' })
  async ancestors(@Root() unit: UnitVersion, @Ctx() ctx: ReferenceContext): Promise<UnitVersion[]> {
    const out: UnitVersion[] = [];
    for (let parentId = unit.parentId; parentId;) {
      const parent = await ctx.loaders.unitById.load(parentId);
      if (!parent) break;
      out.push(parent);
      parentId = parent.parentId;
    }
    return out;
  }

  @FieldResolver(() => [UnitShare], {
    description: 'Older units whose territory went into this one, each with the share of its territory that did',
  })
  async predecessors(@Root() unit: UnitVersion, @Ctx() ctx: ReferenceContext): Promise<UnitShare[]> {
    return cleanShares((await ctx.catalog()).predecessors(unit.id));
  }

  @FieldResolver(() => [UnitShare], {
    description: 'Newer units that took over territory of this one, each with the share it took',
  })
  async successors(@Root() unit: UnitVersion, @Ctx() ctx: ReferenceContext): Promise<UnitShare[]> {
    return cleanShares((await ctx.catalog()).successors(unit.id));
  }
}
