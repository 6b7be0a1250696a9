import type { DuckDBConnection } from '@duckdb/node-api';
import { Grain, meetsTarget, onlyMeasures, ReferenceEvaluator, RowValues, UnitCatalog } from '@lgr/schema';
import { withSpan } from '@lgr/kit/tracing';
import { appendRows } from '../store/append';
import { queryRows, runStatement } from '../store/exec';
import { readMetaStatement } from '../store/sql';
import { CATALOG_DIGEST } from '../store/store';
import type { Row } from '../store/rows';
import type { AnalyticsStore } from '../store/store';
import { AdditiveAnswer, additiveStatement, additiveValues, answerReads, SpanEvaluator, SpanValues } from './additive';
import { evaluateRows, figuresOf, IN_MEMORY_MAX_FACTS, inMemoryEligible, inMemoryFactsStatement } from './in-memory';
import { planAnswer, planProgramme } from './plan';
import { unitKeys } from './unit-keys';
import {
  createPlanTablesStatements,
  DerivedTable,
  derivedTablesStatements,
  factMonths,
  fillDerivedTableStatement,
  GRAIN_ORDER,
  PLAN_TABLES,
  PlanTable,
  resultStatement,
  StageCountKind,
  stagesStatement,
  stepRules,
  targetStepStatement,
  valueStepStatement,
} from './sql';
import { StepPlanner } from './steps';
import {
  AggregateOptions,
  AggregatePlan,
  AggregateRequest,
  AggregateRow,
  AnswerPlan,
  PlannedNote,
  PlannedWeight,
} from './types';

/** The plan's rows for each plan table, in the tables' column order. */
export function planTableRows(plan: AggregatePlan): Record<PlanTable, Row[]> {
  const iidOf = new Map(plan.indicators.map((i) => [i.code, i.iid]));
  const pidOf = new Map(plan.periods.map((p) => [p.code, p.pid]));
  const key = (id: string) => plan.unitKeys.get(id)!;
  const segments = new Map<string, PlannedWeight[]>();
  for (const w of plan.weights) {
    const list = segments.get(w.unitId);
    if (list) list.push(w);
    else segments.set(w.unitId, [w]);
  }
  return {
    pu: plan.units.map((u) => {
      const k = key(u.id);
      // A valued unit's weight when it is one segment (or none: weight 0), so that its own figures'
      // reported weight is a formula instead of a join with `pw`; null when it has several.
      const w = segments.get(u.id) ?? [];
      const one = u.valued && w.length <= 1 ? (w[0] ?? { fromMonth: 0, toMonth: -1, leaves: 0 }) : null;
      return [
        k.uid,
        u.id,
        k.stage,
        k.validFromMonth,
        k.firstWholeMonth,
        u.valued,
        k.parent,
        one?.fromMonth ?? null,
        one?.toMonth ?? null,
        one?.leaves ?? null,
      ];
    }),
    plan_periods: plan.periods.map((p) => [
      p.pid,
      p.code,
      p.grain,
      p.startMonth,
      p.endMonth,
      p.value,
      p.target,
      p.part,
      p.parentEnd,
    ]),
    plan_subs: plan.subs.map((s) => [s.parent, s.child, s.ord]),
    plan_indicators: plan.indicators.map((i) => [i.iid, i.code, i.rule, i.value, i.target]),
    pr: plan.rows.map((r) => [
      r.rowId,
      r.templateId,
      iidOf.get(r.indicator.code) ?? null,
      r.indicator.rule,
      key(r.unit.id).uid,
      r.targetPeriod ? pidOf.get(r.targetPeriod.code)! : null,
      r.groupId,
      r.emit,
      plan.targetExpected[r.rowId] ?? null,
    ]),
    plan_groups: plan.groups.map((g) => [
      g.groupId,
      g.indicator.code,
      g.indicator.rule,
      g.unit.id,
      g.targetPeriod?.code ?? null,
    ]),
    pw: plan.weights.map((w) => [key(w.unitId).uid, w.fromMonth, w.toMonth, w.leaves]),
    plan_expected: plan.expected.map((e) => [e.rowId, e.pid, e.stock, e.expected]),
    plan_parts: plan.parts.map((p) => [p.templateId, p.role, p.side, p.base, p.rule, p.period, p.ord]),
  };
}

/**
 * A number of the answer, or null. DuckDB's DOUBLE arithmetic overflows to ±Infinity (two values of
 * 1e308 summed, a percentage over a base of 1e-300), which no JSON number and no GraphQL Float can
 * carry: such a number is answered as null (too large to represent, like a zero denominator), so that
 * only the rows whose numbers overflowed lose them, instead of the whole answer failing for everyone.
 */
export const num = (x: unknown): number | null => {
  if (x === null || x === undefined) return null;
  const n = Number(x);
  return Number.isFinite(n) ? n : null;
};

/** Receives the time each step of a query took, for logs and benchmarks. */
export type StepTracer = (step: string, ms: number) => void;

/** Times a step for `trace` and, when tracing is on, records it as a span of the request's trace. */
async function traced<T>(trace: StepTracer | undefined, step: string, fn: () => Promise<T>): Promise<T> {
  return withSpan(`engine ${step}`, async () => {
    if (!trace) return fn();
    const started = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      trace(step, Number(process.hrtime.bigint() - started) / 1e6);
    }
  });
}

/** Thrown when the store's unit tables hold another catalogue than the one a plan was made from. */
export class CatalogChangedError extends Error {
  constructor(expected: string, found: string | null) {
    super(`The store holds catalogue ${found ?? '(none)'}, the plan was made from ${expected}`);
    this.name = 'CatalogChangedError';
  }
}

/**
 * What the engine keeps on a connection: its plan, work and derived tables, created once, filled
 * inside each query's transaction and emptied by its rollback.
 *
 * Statements are not kept prepared from one query to the next: DuckDB plans a statement with the
 * statistics of the tables at the time (compressed materialization narrows columns to the ranges it
 * saw), and a plan kept for a later query over other rows gives wrong numbers.
 */
class EngineSession {
  private ready = false;

  constructor(readonly connection: DuckDBConnection) {}

  /** Creates the tables on the first query of the connection. */
  async prepareTables(): Promise<void> {
    if (this.ready) return;
    // Outside any transaction, so that they outlive the rollback of each query.
    for (const s of [...createPlanTablesStatements(), ...derivedTablesStatements()])
      await runStatement(this.connection, s);
    this.ready = true;
  }
}

const sessions = new WeakMap<DuckDBConnection, EngineSession>();

function sessionOf(connection: DuckDBConnection): EngineSession {
  let session = sessions.get(connection);
  if (!session) sessions.set(connection, (session = new EngineSession(connection)));
  return session;
}

/**
 * Loads a plan and computes it; returns the numbers keyed by `ROW:<rowId>` and `TOTAL:<groupId>`.
 * With `catalogDigest`, first checks (in the same transaction) that the store's unit tables hold that
 * catalogue and throws {@link CatalogChangedError} when they do not.
 *
 * The connection keeps the engine's temporary tables for the next query; it must not be in a
 * transaction. Nothing the query writes outlives it: its transaction is rolled back.
 */
export async function computePlan(
  connection: DuckDBConnection,
  plan: AggregatePlan,
  trace?: StepTracer,
  catalogDigest?: string,
): Promise<Map<string, RowValues>> {
  await traced(trace, 'create tables', () => sessionOf(connection).prepareTables());
  const shape = plan.shape;
  await connection.run('BEGIN TRANSACTION');
  let failed = true;
  try {
    if (catalogDigest !== undefined) {
      const meta = await queryRows(connection, readMetaStatement(CATALOG_DIGEST));
      const found = meta.length ? String(meta[0]!.value) : null;
      if (found !== catalogDigest) throw new CatalogChangedError(catalogDigest, found);
    }
    await traced(trace, 'load plan', async () => {
      const tables = planTableRows(plan);
      for (const name of Object.keys(PLAN_TABLES) as PlanTable[]) {
        if (tables[name].length) await appendRows(connection, name, PLAN_TABLES[name], tables[name], true);
      }
    });
    const derived: DerivedTable[] = ['plan_facts'];
    if (shape.partialInside) derived.push('plan_partial_inside');
    if (shape.targets) derived.push('plan_target_facts');
    const months = factMonths(plan.periods);
    for (const table of derived)
      await traced(trace, `derive ${table}`, () => runStatement(connection, fillDerivedTableStatement(table, months)));
    const counts = await traced(trace, 'stages', () => queryRows(connection, stagesStatement()));
    const steps = new StepPlanner(
      shape,
      counts.map((r) => ({
        kind: String(r.kind) as StageCountKind,
        stage: r.stage === null ? null : Number(r.stage),
        grain: r.grain === null ? null : (String(r.grain) as Grain),
        n: Number(r.n),
      })),
    );
    const rules = stepRules(plan.indicators);
    for (const grain of GRAIN_ORDER) {
      for (const stage of shape.stages) {
        const step = steps.valueStep(grain, stage);
        if (!step) continue;
        const rows = await traced(trace, `values ${grain} stage ${stage} ${partsLabel(step.parts)}`, () =>
          runStatement(connection, valueStepStatement(grain, stage, step.parts, rules)),
        );
        steps.storedValues(grain, stage, rows);
      }
    }
    for (const stage of shape.stages) {
      const parts = steps.targetStep(stage);
      if (!parts) continue;
      const rows = await traced(trace, `targets stage ${stage} ${partsLabel(parts)}`, () =>
        runStatement(connection, targetStepStatement(stage, parts)),
      );
      steps.storedTargets(stage, rows);
    }
    const out = new Map<string, RowValues>();
    const result = await traced(trace, 'result', () => queryRows(connection, resultStatement(steps.resultParts())));
    for (const r of result) {
      const kind = String(r.kind);
      const id = Number(r.id);
      const target = num(r.target);
      const indicator = (kind === 'ROW' ? plan.rows[id]! : plan.groups[id]!).indicator;
      out.set(`${kind}:${id}`, {
        value: num(r.value),
        target,
        achievementPct: num(r.achievement_pct),
        samePeriodValue: num(r.same_value),
        samePeriodPct: num(r.same_pct),
        complete: r.complete === true,
        coverage: {
          value: Number(r.cov_value),
          target: Number(r.cov_target ?? 0),
          yearToDate: Number(r.cov_ytd),
          samePeriod: Number(r.cov_same),
        },
        targetMet: meetsTarget(indicator.direction, num(r.ytd), target),
      });
    }
    failed = false;
    return out;
  } finally {
    // Nothing the query wrote is kept: its rows are in its transaction, which only read the store.
    try {
      await connection.run('ROLLBACK');
    } catch (error) {
      // Left in a transaction, the connection must not be used again: the caller's pool drops a
      // connection whose work failed. The query's own error, if any, is the one that matters.
      // eslint-disable-next-line no-unsafe-finally -- a rollback that fails after a successful query is the error to report
      if (!failed) throw error;
    }
  }
}

/** The kinds of nodes a step computes, for traces. */
function partsLabel(parts: object): string {
  return Object.entries(parts)
    .filter(([, on]) => on)
    .map(([name]) => name)
    .join('+');
}

/**
 * Answers an aggregate query by DESIGN.md section 3. The plan (units, periods, parts) is made in
 * TypeScript from the catalogue; the numbers are computed over the store's facts, each path inside
 * one read snapshot so that a concurrent feed batch is seen whole or not at all: by the additive path
 * where it applies (`additive.ts`), else in memory for a small question, else by the SQL programme.
 */
export async function runAggregate(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  request: AggregateRequest,
  options: AggregateOptions = {},
): Promise<AggregateRow[]> {
  const trace = options.trace;
  const answer = await traced(trace, 'plan', async () =>
    planAnswer(catalog, request, { scope: options.scope, maxRows: options.maxRows }),
  );
  if (!answer.output.length) return [];
  if (answer.output.every((o) => o.kind === 'NOTE')) return answer.output.map(({ id }) => noteRow(answer.notes[id]!));
  let plan: AggregatePlan | undefined;
  const programmePlan = async () =>
    (plan ??= await traced(trace, 'plan programme', async () => planProgramme(catalog, answer)));
  const numbers =
    (await additive(store, catalog, answer, options, programmePlan)) ??
    (await inMemory(store, catalog, await programmePlan(), options)) ??
    (await withProgramme(store, catalog, await programmePlan(), options));
  return answer.output.map(({ kind, id }) =>
    kind === 'NOTE' ? noteRow(answer.notes[id]!) : answerRow(answer, kind, id, numbers.get(`${kind}:${id}`)!),
  );
}

/**
 * Per store, the indicators whose figures made an additive sum wrong in the store's current version:
 * their questions go straight to the other paths until the facts change.
 */
const additiveFailures = new WeakMap<AnalyticsStore, { version: number; indicators: Set<string> }>();

function knownIrregular(store: AnalyticsStore, codes: readonly string[]): boolean {
  const known = additiveFailures.get(store);
  return known !== undefined && known.version === store.version && codes.some((c) => known.indicators.has(c));
}

function rememberIrregular(store: AnalyticsStore, version: number, codes: readonly string[]): void {
  let known = additiveFailures.get(store);
  if (!known || known.version !== version) additiveFailures.set(store, (known = { version, indicators: new Set() }));
  for (const c of codes) known.indicators.add(c);
}

/**
 * The numbers of a plan by the additive path (see `additive.ts`), or undefined when it does not
 * apply: another strategy, a STOCK span that rule 4 divides where a partial predecessor's figures
 * matter, a figure that makes a sum wrong, or a number past the largest double; or a question small
 * enough for memory whose STOCK spans a newer unit divides.
 */
async function additive(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  plan: AnswerPlan,
  options: AggregateOptions,
  programmePlan: () => Promise<AggregatePlan>,
): Promise<Map<string, RowValues> | undefined> {
  const strategy = options.strategy ?? 'auto';
  if (strategy !== 'auto' && strategy !== 'additive') return undefined;
  const reads = await traced(options.trace, 'additive spans', async () => answerReads(plan, catalog));
  if (!reads) return undefined;
  // A STOCK over a span that a newer unit divides is walked by the evaluator, which reads the span
  // and its parts: a question small enough for memory is answered there, from one read of its facts.
  if (strategy === 'auto' && reads.walked && inMemoryEligible(await programmePlan(), strategy)) return undefined;
  const spans = reads.spans;
  const codes = [...new Set(spans.filter((s) => s.value).map((s) => s.indicator))];
  if (strategy === 'auto' && knownIrregular(store, codes)) return undefined;
  const digest = catalog.digest();
  // Totals of a level without members may read nothing at all. Only the indicators the store does
  // not know to be all leaves' months are checked for units' own figures, unless `all`.
  const read = async (all: boolean): Promise<{ answer: AdditiveAnswer; version: number }> => {
    const version = store.version;
    const known = store.irregularIndicators;
    if (!spans.length) return { answer: { kind: 'values', values: new SpanValues(new Map()), targets: [] }, version };
    const statement = additiveStatement(
      spans,
      catalog,
      unitKeys(catalog),
      (code) => all || known.has(code),
      options.additiveSources,
    );
    const rows = await traced(options.trace, 'additive read', () =>
      store.withConnection((c) => queryRows(c, statement), { timeoutMs: options.timeoutMs, reuse: true }),
    );
    // Facts written while the statement ran may not be described by the irregular indicators read
    // before it: then the statement checks every indicator.
    if (!all && store.version !== version) return read(true);
    return { answer: additiveValues(catalog, rows, spans, statement.readsCatalog ? digest : undefined), version };
  };
  await store.syncCatalog(catalog);
  let { answer, version } = await read(false);
  // A catalogue synced by someone else between the sync and the read: sync ours again, once.
  if (answer.kind === 'catalog') {
    await store.syncCatalog(catalog);
    ({ answer, version } = await read(false));
    if (answer.kind === 'catalog') throw new CatalogChangedError(digest, answer.digest);
  }
  if (answer.kind === 'irregular') {
    rememberIrregular(store, version, codes);
    return undefined;
  }
  const values = answer.values;
  const numbers = await traced(options.trace, 'additive evaluation', async () =>
    evaluateRows(
      plan,
      new SpanEvaluator(catalog, answer.targets, (indicator, unitId, span) => values.of(indicator, unitId, span)),
    ),
  );
  return [...numbers.values()].some(overflows) ? undefined : numbers;
}

/**
 * The numbers of a small plan computed in memory (see `in-memory.ts`), or undefined when the plan is
 * not eligible or reads more facts than memory is for.
 */
async function inMemory(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  plan: AggregatePlan,
  options: AggregateOptions,
): Promise<Map<string, RowValues> | undefined> {
  const strategy = options.strategy ?? 'auto';
  if (!inMemoryEligible(plan, strategy)) return undefined;
  const limit = strategy === 'memory' ? undefined : IN_MEMORY_MAX_FACTS;
  const [answer] = await traced(options.trace, 'in-memory facts', () =>
    store.withConnection((c) => queryRows(c, inMemoryFactsStatement(plan, limit)), {
      timeoutMs: options.timeoutMs,
      reuse: true,
    }),
  );
  const n = Number(answer!.n);
  if (limit !== undefined && n > limit) return undefined;
  const values = await traced(options.trace, 'in-memory evaluation', async () =>
    evaluateRows(plan, new ReferenceEvaluator(catalog, figuresOf({ n, facts: String(answer!.facts) }))),
  );
  // A sum or percentage past the largest double: the programme answers such a row's number as null
  // (see num) and its target as not judged, so the question is left to it.
  return [...values.values()].some(overflows) ? undefined : values;
}

function overflows(v: RowValues): boolean {
  return [v.value, v.target, v.achievementPct, v.samePeriodValue, v.samePeriodPct].some(
    (x) => x !== null && !Number.isFinite(x),
  );
}

/** The numbers of a plan computed by the SQL programme over the store's copy of the catalogue. */
async function withProgramme(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  plan: AggregatePlan,
  options: AggregateOptions,
): Promise<Map<string, RowValues>> {
  // The rollups read the store's copy of the catalogue; it must be the one the plan was made from. A
  // catalogue synced by someone else between the two is caught inside the read transaction.
  const digest = catalog.digest();
  const compute = async () => {
    await store.syncCatalog(catalog);
    return store.withConnection((c) => computePlan(c, plan, options.trace, digest), {
      timeoutMs: options.timeoutMs,
      reuse: true,
    });
  };
  try {
    return await compute();
  } catch (error) {
    if (!(error instanceof CatalogChangedError)) throw error;
    return compute();
  }
}

const NO_COVERAGE: AggregateRow['coverage'] = { value: 0, target: 0, yearToDate: 0, samePeriod: 0 };

/**
 * A computed row or total of the answer, with the numbers not asked for null whichever path computed
 * it (the programme computes a role it has no parts for as nothing, not as null with coverage 0).
 */
function answerRow(plan: AnswerPlan, kind: 'ROW' | 'TOTAL', id: number, computed: RowValues): AggregateRow {
  const meta = kind === 'ROW' ? plan.rows[id]! : plan.groups[id]!;
  const numbers = onlyMeasures(computed, plan.measures);
  return {
    indicator: meta.indicator.code,
    unitId: meta.unit.id,
    unitCode: meta.unit.code,
    period: meta.period.code,
    periods: meta.periods.map((p) => p.code),
    term: meta.term,
    value: numbers.value,
    target: numbers.target,
    achievementPct: numbers.achievementPct,
    samePeriodValue: numbers.samePeriodValue,
    samePeriodPct: numbers.samePeriodPct,
    complete: numbers.complete,
    coverage: numbers.coverage,
    targetMet: numbers.targetMet,
    total: kind === 'TOTAL',
    boundariesAsOf: meta.boundariesAsOf,
    note: null,
  };
}

/** A row without numbers: its unit code has no version on the row's boundaries' date. */
function noteRow(note: PlannedNote): AggregateRow {
  return {
    indicator: note.indicator.code,
    unitId: note.unit.id,
    unitCode: note.unit.code,
    period: note.period.code,
    periods: note.periods.map((p) => p.code),
    term: note.term,
    value: null,
    target: null,
    achievementPct: null,
    samePeriodValue: null,
    samePeriodPct: null,
    complete: false,
    coverage: NO_COVERAGE,
    targetMet: null,
    total: note.total,
    boundariesAsOf: note.boundariesAsOf,
    note: note.note,
  };
}
