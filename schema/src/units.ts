import { createHash } from 'node:crypto';
import { IsoDate } from './dates';
import { monthEndDate, monthStartDate, MonthSpan } from './periods';

export type Level = 'PROVINCE' | 'DISTRICT' | 'COMMUNE';
export const LEVELS: readonly Level[] = ['PROVINCE', 'DISTRICT', 'COMMUNE'];

/**
 * One version of an administrative unit. Codes are reused across reorganisations, so a version is
 * identified by `id` (`<code>@<validFrom>`), never by its code alone. A version's children are valid
 * for the whole of its own validity: when a unit's composition changes, the unit gets a new version.
 */
export interface UnitVersion {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly fullName: string;
  readonly nameEn: string;
  readonly level: Level;
  /** ward, commune, commune_level_town, special_zone, urban_district, province, municipality, ... */
  readonly kind: string;
  readonly parentId: string | null;
  readonly validFrom: IsoDate;
  /** Last day of validity; null while the version is current. */
  readonly validTo: IsoDate | null;
}

/**
 * Territory passed from an old leaf unit (a commune, or a district without communes) to a new one at a
 * reorganisation. The shares of one old unit sum to 1.
 */
export interface LineageLink {
  readonly fromId: string;
  readonly toId: string;
  readonly share: number;
}

/** A unit and the share of territory it has in common with another, as seen from the older side. */
export interface UnitShare {
  readonly unit: UnitVersion;
  readonly share: number;
}

/**
 * How a unit's figures for a time before it existed are assembled from the units of that time
 * (DESIGN 3 rule 4): `whole` units lie entirely inside it and count in full (the largest such units),
 * `shares` are split communes counted by their lineage share, `partial` are units that lie only partly
 * inside and cannot be split; their own figures are lost and make the answer incomplete.
 */
export interface Contributions {
  readonly whole: readonly string[];
  readonly shares: readonly { id: string; share: number }[];
  readonly partial: readonly string[];
}

export function unitVersionId(code: string, validFrom: IsoDate): string {
  return `${code}@${validFrom}`;
}

const EPSILON = 1e-9;

/** Thrown when unit data breaks an invariant the arithmetic relies on. */
export class UnitDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitDataError';
  }
}

/** The administrative units of every period with their hierarchy and lineage, held in memory. */
export class UnitCatalog {
  private readonly byId = new Map<string, UnitVersion>();
  private readonly byCode = new Map<string, UnitVersion[]>();
  private readonly childIds = new Map<string, string[]>();
  private readonly linksFrom = new Map<string, LineageLink[]>();
  private readonly linksTo = new Map<string, LineageLink[]>();
  /** overlap.get(oldId).get(newId): the fraction of the old unit's leaves' territory that lies in the new unit. */
  private overlapFromOld?: Map<string, Map<string, number>>;
  private overlapIntoNew?: Map<string, Map<string, number>>;
  private digestCache?: string;

  constructor(
    readonly units: readonly UnitVersion[],
    readonly links: readonly LineageLink[],
  ) {
    for (const u of units) {
      if (this.byId.has(u.id)) throw new UnitDataError(`Duplicate unit version id ${u.id}`);
      this.byId.set(u.id, u);
      const list = this.byCode.get(u.code) ?? [];
      list.push(u);
      this.byCode.set(u.code, list);
    }
    for (const list of this.byCode.values()) list.sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
    for (const u of units) {
      if (u.parentId === null) continue;
      const parent = this.byId.get(u.parentId);
      if (!parent) throw new UnitDataError(`Unit ${u.id} names parent ${u.parentId}, which does not exist`);
      const list = this.childIds.get(u.parentId) ?? [];
      list.push(u.id);
      this.childIds.set(u.parentId, list);
    }
    for (const link of links) {
      if (!this.byId.has(link.fromId) || !this.byId.has(link.toId)) {
        throw new UnitDataError(`Lineage ${link.fromId} -> ${link.toId} names a unit version that does not exist`);
      }
      if (!(link.share > 0 && link.share <= 1 + EPSILON)) {
        throw new UnitDataError(
          `Lineage ${link.fromId} -> ${link.toId} has share ${link.share}; expected 0 < share <= 1`,
        );
      }
      push(this.linksFrom, link.fromId, link);
      push(this.linksTo, link.toId, link);
    }
    for (const [fromId, list] of this.linksFrom) {
      const total = list.reduce((s, l) => s + l.share, 0);
      if (Math.abs(total - 1) > 1e-6) throw new UnitDataError(`Shares of ${fromId} sum to ${total}, expected 1`);
    }
  }

  get(id: string): UnitVersion | undefined {
    return this.byId.get(id);
  }

  /** Every version that ever carried `code`, oldest first. */
  versionsOf(code: string): readonly UnitVersion[] {
    return this.byCode.get(code) ?? [];
  }

  /** The version of `code` valid on `date`. */
  resolve(code: string, date: IsoDate): UnitVersion | undefined {
    return this.versionsOf(code).find((u) => isValidOn(u, date));
  }

  /**
   * The version a figure for `code` over `span` belongs to (DESIGN 4): the one valid at the span's end,
   * else the latest one valid on any day of it.
   */
  resolveForSpan(code: string, span: MonthSpan): UnitVersion | undefined {
    const atEnd = this.resolve(code, monthEndDate(span.endMonth));
    if (atEnd) return atEnd;
    const during = this.versionsOf(code).filter((u) => isValidDuring(u, span));
    return during[during.length - 1];
  }

  children(id: string): UnitVersion[] {
    return (this.childIds.get(id) ?? []).map((c) => this.byId.get(c)!);
  }

  isLeaf(id: string): boolean {
    return !this.childIds.has(id);
  }

  /** The unit and everything below it. */
  subtree(id: string): UnitVersion[] {
    const out: UnitVersion[] = [];
    const walk = (uid: string): void => {
      out.push(this.byId.get(uid)!);
      for (const c of this.childIds.get(uid) ?? []) walk(c);
    };
    if (this.byId.has(id)) walk(id);
    return out;
  }

  /** Parent, grandparent, ... up to the province. */
  ancestors(id: string): UnitVersion[] {
    const out: UnitVersion[] = [];
    for (let u = this.byId.get(id); u?.parentId;) {
      u = this.byId.get(u.parentId);
      if (u) out.push(u);
    }
    return out;
  }

  /** Units at `level` inside `id` (the unit itself when it is at that level). */
  unitsAtLevel(id: string, level: Level): UnitVersion[] {
    return this.subtree(id).filter((u) => u.level === level);
  }

  /** Units valid on `date`, optionally only those at `level`. */
  validOn(date: IsoDate, level?: Level): UnitVersion[] {
    return this.units.filter((u) => isValidOn(u, date) && (!level || u.level === level));
  }

  /** Direct lineage links into a new leaf unit. */
  linksInto(id: string): readonly LineageLink[] {
    return this.linksTo.get(id) ?? [];
  }

  /** Direct lineage links out of an old leaf unit. */
  linksOutOf(id: string): readonly LineageLink[] {
    return this.linksFrom.get(id) ?? [];
  }

  /**
   * The older units whose territory went into `id`, each with the share of its territory that did:
   * for a leaf the lineage links; above that, the older units at the same level.
   */
  predecessors(id: string): UnitShare[] {
    const unit = this.byId.get(id);
    if (!unit) return [];
    if (this.isLeaf(id) && this.linksTo.has(id)) {
      return this.linksInto(id).map((l) => ({ unit: this.byId.get(l.fromId)!, share: l.share }));
    }
    const overlaps = this.overlapsInto(id);
    return [...overlaps]
      .map(([oldId, share]) => ({ unit: this.byId.get(oldId)!, share }))
      .filter((s) => s.unit.level === unit.level);
  }

  /**
   * The newer units that took over territory of `id`, each with the share of `id` it took: for a leaf
   * the lineage links; above that, newer units at the same level, else the newer leaves.
   */
  successors(id: string): UnitShare[] {
    const unit = this.byId.get(id);
    if (!unit) return [];
    if (this.isLeaf(id) && this.linksFrom.has(id)) {
      return this.linksOutOf(id).map((l) => ({ unit: this.byId.get(l.toId)!, share: l.share }));
    }
    const overlaps = [...this.overlapsFrom(id)].map(([newId, share]) => ({ unit: this.byId.get(newId)!, share }));
    const same = overlaps.filter((s) => s.unit.level === unit.level);
    return same.length ? same : overlaps.filter((s) => this.isLeaf(s.unit.id));
  }

  /** DESIGN 3 rule 4: how `id`'s figures before it existed are made of the previous units' figures. */
  contributions(id: string): Contributions {
    const overlaps = this.overlapsInto(id);
    const whole: string[] = [];
    const shares: { id: string; share: number }[] = [];
    const partial: string[] = [];
    for (const [oldId, share] of overlaps) {
      const old = this.byId.get(oldId)!;
      if (share >= 1 - EPSILON) {
        const parentShare = old.parentId ? (overlaps.get(old.parentId) ?? 0) : 0;
        if (parentShare < 1 - EPSILON) whole.push(oldId);
      } else if (this.isLeaf(oldId)) {
        shares.push({ id: oldId, share });
      } else {
        partial.push(oldId);
      }
    }
    return { whole: whole.sort(), shares: shares.sort((a, b) => (a.id < b.id ? -1 : 1)), partial: partial.sort() };
  }

  /**
   * The units a caller whose claim names `codes` may see: every version of those codes with their
   * subtrees, the older units that lie wholly inside any of those (with their subtrees), and the newer
   * units that took over any of that territory. An older unit that lies only partly inside a claimed
   * unit, or inside a newer unit reached only by taking over claimed territory, is not in scope: its
   * figures reach the caller only inside rolled-up answers.
   */
  scopeOf(codes: readonly string[]): Set<string> {
    const ids = new Set<string>();
    for (const code of codes) {
      for (const version of this.versionsOf(code)) {
        for (const u of this.subtree(version.id)) ids.add(u.id);
      }
    }
    // A claimed unit's history is made of the older units wholly inside it, counted whole (rule 4):
    // a caller who may read that history may read those units directly too, so the two agree.
    for (const id of [...ids]) {
      for (const oldId of this.whollyInside(id)) {
        for (const u of this.subtree(oldId)) ids.add(u.id);
      }
    }
    // Only the units that received territory directly (and what lies below them) join the scope:
    // the new province that contains a successor ward is not the caller's to read.
    for (const id of [...ids]) {
      for (const link of this.linksOutOf(id)) {
        for (const u of this.subtree(link.toId)) ids.add(u.id);
      }
    }
    return ids;
  }

  /** The older units every part of whose territory went into `id`. */
  whollyInside(id: string): string[] {
    return [...this.overlapsInto(id)].filter(([, share]) => share >= 1 - EPSILON).map(([oldId]) => oldId);
  }

  /** A fingerprint of the whole catalogue, to tell whether a copy is current. */
  digest(): string {
    this.digestCache ??= createHash('sha256')
      .update(JSON.stringify([this.units, this.links]))
      .digest('hex')
      .slice(0, 16);
    return this.digestCache;
  }

  private overlapsInto(newId: string): Map<string, number> {
    this.computeOverlaps();
    return this.overlapIntoNew!.get(newId) ?? new Map();
  }

  private overlapsFrom(oldId: string): Map<string, number> {
    this.computeOverlaps();
    return this.overlapFromOld!.get(oldId) ?? new Map();
  }

  /**
   * Overlap of an old unit A with a new unit B: the lineage shares of A's leaves into B's leaves, over
   * the number of A's leaves. It is 1 exactly when every leaf of A went wholly into B.
   */
  private computeOverlaps(): void {
    if (this.overlapFromOld) return;
    const fromOld = new Map<string, Map<string, number>>();
    const intoNew = new Map<string, Map<string, number>>();
    const leafCount = new Map<string, number>();
    const countLeaves = (id: string): number => {
      let n = leafCount.get(id);
      if (n === undefined) {
        const kids = this.childIds.get(id);
        n = kids ? kids.reduce((s, k) => s + countLeaves(k), 0) : 1;
        leafCount.set(id, n);
      }
      return n;
    };
    for (const link of this.links) {
      const olds = [this.byId.get(link.fromId)!, ...this.ancestors(link.fromId)];
      const news = [this.byId.get(link.toId)!, ...this.ancestors(link.toId)];
      for (const a of olds) {
        const add = link.share / countLeaves(a.id);
        for (const b of news) {
          addTo(fromOld, a.id, b.id, add);
          addTo(intoNew, b.id, a.id, add);
        }
      }
    }
    this.overlapFromOld = fromOld;
    this.overlapIntoNew = intoNew;
  }
}

export function isValidOn(u: Pick<UnitVersion, 'validFrom' | 'validTo'>, date: IsoDate): boolean {
  return u.validFrom <= date && (u.validTo === null || date <= u.validTo);
}

export function isValidDuring(u: Pick<UnitVersion, 'validFrom' | 'validTo'>, span: MonthSpan): boolean {
  return (
    u.validFrom <= monthEndDate(span.endMonth) && (u.validTo === null || monthStartDate(span.startMonth) <= u.validTo)
  );
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function addTo(map: Map<string, Map<string, number>>, a: string, b: string, value: number): void {
  let inner = map.get(a);
  if (!inner) map.set(a, (inner = new Map()));
  inner.set(b, (inner.get(b) ?? 0) + value);
}
