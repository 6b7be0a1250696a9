import { Grain, monthOf, UnitCatalog } from '@lgr/schema';
import { unitStages } from '../store/rows';
import { GRAIN_ORDER, ResultParts, StageCountKind, TargetStepParts, ValueStepParts } from './sql';
import type { AggregatePlan, PlanShape } from './types';

/*
 * Which steps of the dynamic programme a query needs, and which kinds of nodes each step can have.
 * DuckDB's cost for a small query is mostly a fixed cost per operator, so a step that cannot produce
 * anything is not run, and a kind of node that cannot occur at a step is left out of its SQL. Every
 * decision here is conservative: a step or a kind is left out only when it provably adds no row, so
 * the numbers are those of the full programme.
 *
 * Some of it follows from the plan and the catalogue alone (`planShape`): which units have
 * predecessors (rule 4), which periods lie before them, which units have ancestors among the
 * computed ones (rule 3). The rest follows from the data: the recorded values and targets the query
 * can use (`stagesStatement`), and the rows the steps run so far have stored.
 */

/** What the engine asks the catalogue about one unit, memoised per catalogue. */
interface UnitShape {
  readonly stage: number;
  readonly fromMonth: number;
  /** It has WHOLE or SHARE predecessors (rule 4). */
  readonly contributed: boolean;
  /** It has PARTIAL predecessors (rule 4's lost figures). */
  readonly partial: boolean;
}

const shapes = new WeakMap<UnitCatalog, Map<string, UnitShape>>();

function unitShape(catalog: UnitCatalog, id: string): UnitShape {
  let byId = shapes.get(catalog);
  if (!byId) shapes.set(catalog, (byId = new Map()));
  let shape = byId.get(id);
  if (!shape) {
    const c = catalog.contributions(id);
    shape = {
      stage: unitStages(catalog).get(id)!,
      fromMonth: monthOf(catalog.get(id)!.validFrom),
      contributed: c.whole.length + c.shares.length > 0,
      partial: c.partial.length > 0,
    };
    byId.set(id, shape);
  }
  return shape;
}

const key = (stage: number, grain: Grain): string => `${stage}|${grain}`;

/**
 * What a plan needs of the dynamic programme, from the plan and the catalogue alone. The conditions
 * are those of the SQL (`valueStepStatement`, `targetStepStatement`) on the units' months and the
 * periods' flags, evaluated once per kind of unit instead of per unit.
 */
export function planShape(catalog: UnitCatalog, plan: Pick<AggregatePlan, 'units' | 'periods' | 'groups'>): PlanShape {
  const valued = new Set<string>();
  for (const u of plan.units) if (u.valued) valued.add(u.id);
  const stages = new Set<number>();
  const lift = new Set<number>();
  // Units differ here only by stage, first month and kinds of predecessors.
  const kinds = new Map<string, UnitShape>();
  let partialInside = false;
  for (const id of valued) {
    const shape = unitShape(catalog, id);
    stages.add(shape.stage);
    if (shape.contributed || shape.partial)
      kinds.set(`${shape.stage}|${shape.fromMonth}|${shape.contributed}|${shape.partial}`, shape);
    if (shape.partial) partialInside = true;
    if (!lift.has(shape.stage)) {
      for (let parent = catalog.get(id)!.parentId; parent; parent = catalog.get(parent)!.parentId) {
        // Ancestors are of the unit's own stage: stages are given per tree.
        if (valued.has(parent)) {
          lift.add(shape.stage);
          break;
        }
      }
    }
  }
  const before = new Set<string>();
  const partial = new Set<string>();
  const targetBefore = new Set<number>();
  const grains = new Set<Grain>();
  for (const p of plan.periods) {
    if (p.value) grains.add(p.grain);
    for (const shape of kinds.values()) {
      if (
        p.value &&
        p.endMonth < shape.fromMonth &&
        (p.part || (p.parentEnd !== null && p.parentEnd >= shape.fromMonth))
      ) {
        if (shape.contributed) before.add(key(shape.stage, p.grain));
        if (shape.partial) partial.add(key(shape.stage, p.grain));
      }
      if (p.target && shape.contributed && p.endMonth < shape.fromMonth) targetBefore.add(shape.stage);
    }
  }
  return {
    stages: [...stages].sort((a, b) => a - b),
    grains,
    before,
    partial,
    lift,
    targetBefore,
    partialInside,
    targets: plan.periods.some((p) => p.target),
    groups: plan.groups.length > 0,
  };
}

/** A row of `stagesStatement`. */
export interface StageCount {
  readonly kind: StageCountKind;
  readonly stage: number | null;
  readonly grain: Grain | null;
  readonly n: number;
}

/** A value step to run: its grain, stage and the kinds of nodes it can have. */
export interface ValueStep {
  readonly grain: Grain;
  readonly stage: number;
  readonly parts: ValueStepParts;
}

/**
 * Decides the steps of one query as they run: before each step, whether it can produce anything and
 * which kinds of nodes it can have, from the plan's shape, the data's counts and the rows the steps
 * run so far have stored (told with `stored`).
 */
export class StepPlanner {
  private readonly own = new Map<string, number>();
  private readonly partialInside = new Map<Grain, number>();
  private readonly targets = new Map<number, number>();
  private readonly values = new Map<string, number>();
  private readonly targetRows = new Map<number, number>();

  constructor(
    private readonly shape: PlanShape,
    counts: readonly StageCount[],
  ) {
    for (const c of counts) {
      if (c.kind === 'OWN') this.own.set(key(c.stage!, c.grain!), c.n);
      else if (c.kind === 'PARTIAL_INSIDE') this.partialInside.set(c.grain!, c.n);
      else this.targets.set(c.stage!, c.n);
    }
  }

  /**
   * The value step of a grain and stage, or null when it cannot store anything: no value recorded for
   * exactly its periods, no older unit's node at its grain to take over, no lost figure, and no node
   * of a finer grain of its stage to split into.
   */
  valueStep(grain: Grain, stage: number): ValueStep | null {
    if (!this.shape.grains.has(grain)) return null;
    const k = key(stage, grain);
    const own = (this.own.get(k) ?? 0) > 0;
    // Predecessors are of earlier stages, whose steps of this grain have run.
    const before =
      this.shape.before.has(k) && this.shape.stages.some((s) => s < stage && (this.values.get(key(s, grain)) ?? 0) > 0);
    const partial = this.shape.partial.has(k) && (this.partialInside.get(grain) ?? 0) > 0;
    // Sub-periods are of finer grains, whose steps of this stage have run.
    const finer = GRAIN_ORDER.slice(0, GRAIN_ORDER.indexOf(grain));
    const split = grain !== 'MONTH' && finer.some((g) => (this.values.get(key(stage, g)) ?? 0) > 0);
    if (!own && !before && !partial && !split) return null;
    return { grain, stage, parts: { own, before, partial, split, lift: this.shape.lift.has(stage) } };
  }

  /** The target step of a stage, or null when it cannot store anything. */
  targetStep(stage: number): TargetStepParts | null {
    if (!this.shape.targets) return null;
    const own = (this.targets.get(stage) ?? 0) > 0;
    const before =
      this.shape.targetBefore.has(stage) &&
      this.shape.stages.some((s) => s < stage && (this.targetRows.get(s) ?? 0) > 0);
    if (!own && !before) return null;
    return { own, before, lift: this.shape.lift.has(stage) };
  }

  /** Tells how many rows the value step of a grain and stage stored. */
  storedValues(grain: Grain, stage: number, rows: number): void {
    const k = key(stage, grain);
    this.values.set(k, (this.values.get(k) ?? 0) + rows);
  }

  /** Tells how many rows the target step of a stage stored. */
  storedTargets(stage: number, rows: number): void {
    this.targetRows.set(stage, (this.targetRows.get(stage) ?? 0) + rows);
  }

  /** What the answer has to read, once every step has run. */
  resultParts(): ResultParts {
    return { groups: this.shape.groups, targets: [...this.targetRows.values()].some((n) => n > 0) };
  }
}
