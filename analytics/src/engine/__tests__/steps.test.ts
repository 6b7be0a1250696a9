import { Figure, LineageLink, ReferenceEvaluator, UnitCatalog } from '@lgr/schema';
import { AnalyticsStore } from '../../store';
import { computePlan, runAggregate } from '../aggregate';
import { planAggregate } from '../plan';
import {
  ALL_TARGET_PARTS,
  ALL_VALUE_PARTS,
  DERIVED_TABLES,
  fillDerivedTableStatement,
  GRAIN_ORDER,
  resultStatement,
  targetStepStatement,
  valueStepStatement,
} from '../sql';
import { StepPlanner } from '../steps';
import type { AggregatePlan, AggregateRequest, PlanShape } from '../types';
import { close, compareWithEvaluator, storeWith, unit } from './helpers';

// Province P with districts D1 (communes C1, C2) and D2 (no communes) until 2025-06-30; then province
// Q with communes N1 (all of C1, half of C2) and N2 (the rest of C2, all of D2). D1 lies partly in
// each new commune, so its own figures are rule 4's lost figures.
const OLD = ['2000-01-01', '2025-06-30'] as const;
const NEW = ['2025-07-01', null] as const;
const catalog = new UnitCatalog(
  [
    unit('P', 'PROVINCE', null, ...OLD),
    unit('D1', 'DISTRICT', 'P@2000-01-01', ...OLD),
    unit('C1', 'COMMUNE', 'D1@2000-01-01', ...OLD),
    unit('C2', 'COMMUNE', 'D1@2000-01-01', ...OLD),
    unit('D2', 'DISTRICT', 'P@2000-01-01', ...OLD),
    unit('Q', 'PROVINCE', null, ...NEW),
    unit('N1', 'COMMUNE', 'Q@2025-07-01', ...NEW),
    unit('N2', 'COMMUNE', 'Q@2025-07-01', ...NEW),
  ],
  [
    { fromId: 'C1@2000-01-01', toId: 'N1@2025-07-01', share: 1 },
    { fromId: 'C2@2000-01-01', toId: 'N1@2025-07-01', share: 0.5 },
    { fromId: 'C2@2000-01-01', toId: 'N2@2025-07-01', share: 0.5 },
    { fromId: 'D2@2000-01-01', toId: 'N2@2025-07-01', share: 1 },
  ] satisfies LineageLink[],
);

describe('step SQL builders', () => {
  it('leave out the kinds of nodes they are told the step cannot have, and nothing else', () => {
    const full = valueStepStatement('YEAR', 1);
    expect(full).toEqual(valueStepStatement('YEAR', 1, ALL_VALUE_PARTS));
    for (const cte of [
      'own AS',
      'before_parts AS',
      'split AS',
      'lifted AS',
      'blocked AS',
      'pushed AS',
      'plan_partial_inside',
    ])
      expect(full.sql).toContain(cte);

    const ownOnly = valueStepStatement('MONTH', 0, {
      own: true,
      before: false,
      partial: false,
      split: false,
      lift: false,
    });
    expect(ownOnly.params).toEqual(['MONTH', 0]);
    expect(ownOnly.sql).toMatch(/^INSERT INTO dp_value /);
    for (const cte of ['before_parts', 'split AS', 'unit_closure', 'unit_contribution', 'ANTI JOIN'])
      expect(ownOnly.sql).not.toContain(cte);

    const splitOnly = valueStepStatement('QUARTER', 2, {
      own: false,
      before: false,
      partial: false,
      split: true,
      lift: false,
    });
    expect(splitOnly.params).toEqual(['QUARTER', 2]);
    expect(splitOnly.sql).toContain('split AS');
    // Without own nodes there is nothing to keep split nodes from.
    for (const text of ['own AS', 'ANTI JOIN own']) expect(splitOnly.sql).not.toContain(text);

    const wholeNotPartial = valueStepStatement('YEAR', 1, {
      own: true,
      before: true,
      partial: false,
      split: false,
      lift: true,
    });
    expect(wholeNotPartial.sql).toContain("c.kind IN ('WHOLE', 'SHARE')");
    expect(wholeNotPartial.sql).not.toContain('plan_partial_inside');
    expect(wholeNotPartial.sql).toContain('pushed AS');

    expect(() =>
      valueStepStatement('YEAR', 0, { own: false, before: false, partial: false, split: false, lift: true }),
    ).toThrow(/at least one kind/);
  });

  it('build target steps and the answer without the parts a query does not have', () => {
    expect(targetStepStatement(1)).toEqual(targetStepStatement(1, ALL_TARGET_PARTS));
    const own = targetStepStatement(0, { own: true, before: false, lift: false });
    expect(own.params).toEqual([0]);
    for (const text of ['dp_target v', 'unit_closure', 'unit_contribution']) expect(own.sql).not.toContain(text);
    const before = targetStepStatement(1, { own: false, before: true, lift: true });
    expect(before.sql).toContain('unit_contribution');
    for (const text of ['own AS', 'ANTI JOIN own']) expect(before.sql).not.toContain(text);
    expect(() => targetStepStatement(0, { own: false, before: false, lift: true })).toThrow();

    const rowsOnly = resultStatement({ groups: false, targets: false });
    expect(rowsOnly.sql).toMatch(/^WITH part_nodes AS/);
    for (const text of ['plan_groups', 'dp_target', 'TOTAL']) expect(rowsOnly.sql).not.toContain(text);
    const full = resultStatement();
    for (const text of ['plan_groups', 'dp_target', 'TOTAL']) expect(full.sql).toContain(text);
  });

  it('fill each derived table with an INSERT of the SELECT it was created from', () => {
    expect(DERIVED_TABLES.map((t) => /^INSERT INTO (\w+)\s/.exec(fillDerivedTableStatement(t).sql)![1])).toEqual([
      ...DERIVED_TABLES,
    ]);
    // Only the facts bind the plan's months, as constants the scan filters by.
    for (const t of DERIVED_TABLES)
      expect(fillDerivedTableStatement(t, { from: 3, to: 7 }).params).toEqual(t === 'plan_facts' ? [3, 7] : []);
  });

  it('every variant prepares against the store, plan and derived tables', async () => {
    const store = await AnalyticsStore.open(':memory:', { threads: 1 });
    try {
      await store.withConnection(async (c) => {
        // An empty plan creates the engine's tables on the connection.
        await computePlan(
          c,
          planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['Q'], periods: ['2026'] }),
        );
        const flags = [false, true];
        const statements = [
          ...flags.flatMap((own) =>
            flags.flatMap((before) =>
              flags.flatMap((partial) =>
                flags.flatMap((split) =>
                  flags
                    .filter(() => own || before || partial || split)
                    .map((lift) => valueStepStatement('SIX_MONTH', 1, { own, before, partial, split, lift })),
                ),
              ),
            ),
          ),
          ...flags.flatMap((own) =>
            flags.flatMap((before) =>
              flags.filter(() => own || before).map((lift) => targetStepStatement(1, { own, before, lift })),
            ),
          ),
          ...flags.flatMap((groups) => flags.map((targets) => resultStatement({ groups, targets }))),
          ...DERIVED_TABLES.map((t) => fillDerivedTableStatement(t)),
        ];
        expect(statements).toHaveLength(30 + 6 + 4 + 3);
        for (const s of statements) {
          const prepared = await c.prepare(s.sql);
          try {
            expect(prepared.parameterCount).toBe(s.params.length);
          } finally {
            prepared.destroySync();
          }
        }
      });
    } finally {
      await store.close();
    }
  });
});

describe('planShape', () => {
  it('finds rule 4 only at the grains and stages of periods before a unit that a step computes', () => {
    const plan = planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['N1'], periods: ['2025'] });
    const shape = plan.shape;
    expect(shape.stages).toEqual([0, 1]);
    expect([...shape.grains].sort()).toEqual(['MONTH', 'QUARTER', 'SIX_MONTH', 'YEAR']);
    // 2025 splits into 2025S1 (before N1: taken from C1 and C2) and 2025S2; the same period a year
    // earlier, 2024, lies wholly before N1. Quarters and months before N1 are never asked for.
    expect([...shape.before].sort()).toEqual(['1|SIX_MONTH', '1|YEAR']);
    // D1 lies partly in N1.
    expect([...shape.partial].sort()).toEqual(['1|SIX_MONTH', '1|YEAR']);
    expect(shape.partialInside).toBe(true);
    // N1 has no computed ancestor, nor do C1 and C2 (D1's own figures are only looked at).
    expect([...shape.lift]).toEqual([]);
    expect(shape.targets).toBe(true);
    expect(shape.targetBefore.size).toBe(0);
    expect(shape.groups).toBe(false);
  });

  it('lifts where a computed unit has a computed ancestor, and finds targets before a unit', () => {
    // The districts' rows bring their communes along, and each district sums its communes.
    const plan = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['P'],
      periods: ['2024'],
      level: 'DISTRICT',
      totals: true,
    });
    expect(plan.shape.stages).toEqual([0]);
    expect([...plan.shape.lift]).toEqual([0]);
    expect(plan.shape.before.size + plan.shape.partial.size).toBe(0);
    expect(plan.shape.partialInside).toBe(false);
    expect(plan.shape.groups).toBe(true);
    // Communes alone have no computed ancestor.
    expect(
      planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['P'], periods: ['2024'], level: 'COMMUNE' })
        .shape.lift.size,
    ).toBe(0);

    const late = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['Q'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
    });
    expect([...late.shape.targetBefore]).toEqual([1]);
    expect([...late.shape.before]).toContain('1|YEAR');
  });
});

describe('StepPlanner', () => {
  const shape: PlanShape = {
    stages: [0, 1],
    grains: new Set(['MONTH', 'QUARTER', 'YEAR']),
    before: new Set(['1|YEAR']),
    partial: new Set(['1|YEAR']),
    lift: new Set([1]),
    targetBefore: new Set([1]),
    partialInside: true,
    targets: true,
    groups: false,
  };

  it('runs a value step only when it has own values, predecessors with nodes, lost figures or finer nodes', () => {
    const steps = new StepPlanner(shape, [
      { kind: 'OWN', stage: 0, grain: 'QUARTER', n: 4 },
      { kind: 'OWN', stage: 1, grain: 'MONTH', n: 2 },
    ]);
    expect(steps.valueStep('MONTH', 0)).toBeNull();
    expect(steps.valueStep('MONTH', 1)).toEqual({
      grain: 'MONTH',
      stage: 1,
      parts: { own: true, before: false, partial: false, split: false, lift: true },
    });
    steps.storedValues('MONTH', 1, 2);
    expect(steps.valueStep('QUARTER', 0)!.parts).toEqual({
      own: true,
      before: false,
      partial: false,
      split: false,
      lift: false,
    });
    steps.storedValues('QUARTER', 0, 4);
    expect(steps.valueStep('QUARTER', 1)!.parts).toEqual({
      own: false,
      before: false,
      partial: false,
      split: true,
      lift: true,
    });
    steps.storedValues('QUARTER', 1, 0);
    // No six-month periods in the plan.
    expect(steps.valueStep('SIX_MONTH', 0)).toBeNull();
    expect(steps.valueStep('YEAR', 0)!.parts).toEqual({
      own: false,
      before: false,
      partial: false,
      split: true,
      lift: false,
    });
    steps.storedValues('YEAR', 0, 3);
    // Predecessors stored years; no lost figure was found at this grain.
    expect(steps.valueStep('YEAR', 1)!.parts).toEqual({
      own: false,
      before: true,
      partial: false,
      split: true,
      lift: true,
    });
  });

  it('skips a step whose predecessors stored nothing at its grain', () => {
    const steps = new StepPlanner(shape, [{ kind: 'PARTIAL_INSIDE', stage: null, grain: 'YEAR', n: 1 }]);
    steps.storedValues('YEAR', 0, 0);
    expect(steps.valueStep('YEAR', 1)!.parts).toEqual({
      own: false,
      before: false,
      partial: true,
      split: false,
      lift: true,
    });
    const none = new StepPlanner(shape, []);
    for (const grain of GRAIN_ORDER) for (const stage of shape.stages) expect(none.valueStep(grain, stage)).toBeNull();
  });

  it('runs target steps for own targets and for predecessors that stored some, and reads targets only then', () => {
    const steps = new StepPlanner(shape, [{ kind: 'TARGETS', stage: 0, grain: null, n: 2 }]);
    expect(steps.targetStep(0)).toEqual({ own: true, before: false, lift: false });
    expect(steps.resultParts()).toEqual({ groups: false, targets: false });
    steps.storedTargets(0, 2);
    expect(steps.targetStep(1)).toEqual({ own: false, before: true, lift: true });
    expect(steps.resultParts()).toEqual({ groups: false, targets: true });
    expect(
      new StepPlanner({ ...shape, targets: false }, [{ kind: 'TARGETS', stage: 0, grain: null, n: 2 }]).targetStep(0),
    ).toBeNull();
  });
});

describe('the programme with steps left out', () => {
  /** The shape of a plan that knows nothing: every kind of node at every step. */
  function everything(plan: AggregatePlan): AggregatePlan {
    const keys = plan.shape.stages.flatMap((s) => GRAIN_ORDER.map((g) => `${s}|${g}`));
    const shape: PlanShape = {
      ...plan.shape,
      before: new Set(keys),
      partial: new Set(keys),
      lift: new Set(plan.shape.stages),
      targetBefore: new Set(plan.shape.stages),
      partialInside: true,
      targets: true,
    };
    return { ...plan, shape };
  }

  it('gives the numbers of the programme with every step in full, and of the reference evaluator', async () => {
    const figures: Figure[] = [];
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const u of catalog.units) {
      const periods =
        u.validFrom < '2025-07-01'
          ? ['2024Q1', '2024Q3', '2024S2', '2024', '2025Q1', '2025S1', '202502']
          : ['202507', '202508', '2025Q4', '2025S2', '2026'];
      for (const period of periods) {
        if (next() < 0.6)
          figures.push({
            indicator: 'PB_NEW_MEMBERS',
            unitId: u.id,
            period,
            value: Math.round(next() * 100),
            target: null,
          });
        if (next() < 0.4)
          figures.push({
            indicator: 'SS_POOR_HH',
            unitId: u.id,
            period,
            value: Math.round(next() * 100),
            target: null,
          });
        if (next() < 0.4)
          figures.push({
            indicator: 'SS_HOUSEHOLDS',
            unitId: u.id,
            period,
            value: Math.round(next() * 1000) + 100,
            target: null,
          });
      }
      for (const period of ['2024', '2025'])
        if (next() < 0.5) figures.push({ indicator: 'PB_NEW_MEMBERS', unitId: u.id, period, value: null, target: 50 });
    }
    const requests: AggregateRequest[] = [
      { indicators: ['PB_NEW_MEMBERS'], units: ['N1'], periods: ['2025'] },
      {
        indicators: ['PB_NEW_MEMBERS', 'SS_POOR_RATE'],
        units: ['Q'],
        periods: ['2025', '2025S2', '2026'],
        level: 'COMMUNE',
        totals: true,
      },
      {
        indicators: ['SS_POOR_HH', 'PB_NEW_MEMBERS'],
        units: ['Q'],
        periods: ['2024', '2025S1'],
        boundariesAsOf: '2025-07-01',
        level: 'COMMUNE',
        totals: true,
      },
      {
        indicators: ['PB_NEW_MEMBERS', 'SS_POOR_RATE'],
        units: ['P', 'D1'],
        from: '2024Q1',
        to: '2025Q2',
        grain: 'QUARTER',
        level: 'COMMUNE',
        totals: true,
      },
      {
        indicators: ['PB_NEW_MEMBERS'],
        units: ['Q', 'N2'],
        periods: ['2020-2025', '2025-2030'],
        boundariesAsOf: '2025-12-31',
        groupBy: ['INDICATOR', 'UNIT', 'TERM'],
      },
    ];
    const store = await storeWith(catalog, figures);
    try {
      let compared = 0;
      let skipped = 0;
      for (const request of requests) {
        const plan = planAggregate(catalog, request);
        const steps: string[] = [];
        const [lean, full] = await store.withConnection(async (c) => [
          await computePlan(c, plan, (step) => steps.push(step), catalog.digest()),
          await computePlan(c, everything(plan), undefined, catalog.digest()),
        ]);
        expect([...lean.keys()].sort()).toEqual([...full.keys()].sort());
        for (const [key, want] of full) {
          const got = lean.get(key)!;
          for (const field of ['value', 'target', 'achievementPct', 'samePeriodValue', 'samePeriodPct'] as const) {
            if (!close(got[field], want[field]))
              throw new Error(`${JSON.stringify(request)} ${key} ${field}: ${got[field]} instead of ${want[field]}`);
          }
          expect(got.complete).toBe(want.complete);
          if (want.value !== null) compared++;
        }
        expect(
          compareWithEvaluator(await runAggregate(store, catalog, request), new ReferenceEvaluator(catalog, figures)),
        ).toEqual([]);
        skipped += GRAIN_ORDER.length * plan.shape.stages.length - steps.filter((s) => s.startsWith('values')).length;
      }
      // The comparison saw numbers, and the lean programme did leave steps out.
      expect(compared).toBeGreaterThan(20);
      expect(skipped).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
