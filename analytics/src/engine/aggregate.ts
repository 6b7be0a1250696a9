import type { DuckDBConnection } from '@duckdb/node-api';
import type { UnitCatalog } from '@lgr/schema';
import { appendRows } from '../store/append';
import { queryRows, runStatement } from '../store/exec';
import { readMetaStatement } from '../store/sql';
import { CATALOG_DIGEST } from '../store/store';
import type { Row } from '../store/rows';
import type { AnalyticsStore } from '../store/store';
import { AggregatePlan, planAggregate } from './plan';
import {
  createPlanTablesStatements,
  derivedTablesStatements,
  GRAIN_LENGTH,
  GRAIN_ORDER,
  PLAN_TABLES,
  PlanTable,
  resultStatement,
  stagesStatement,
  targetStepStatement,
  valueStepStatement,
} from './sql';
import { AggregateOptions, AggregateRequest, AggregateRow } from './types';

/** The plan's rows for each plan table, in the tables' column order. */
export function planTableRows(plan: AggregatePlan): Record<PlanTable, Row[]> {
  const iidOf = new Map(plan.indicators.map((i) => [i.code, i.iid]));
  const pidOf = new Map(plan.periods.map((p) => [p.code, p.pid]));
  return {
    plan_units: plan.units.map((u) => [u.id, u.valued]),
    plan_periods: plan.periods.map((p) => [p.pid, p.code, p.grain, p.startMonth, p.endMonth, p.value, p.target, p.part, p.parentEnd]),
    plan_subs: plan.subs.map((s) => [s.parent, s.child, s.ord]),
    plan_indicators: plan.indicators.map((i) => [i.iid, i.code, i.rule, i.value, i.target]),
    plan_rows: plan.rows.map((r) => [
      r.rowId,
      r.templateId,
      iidOf.get(r.indicator.code) ?? null,
      r.indicator.rule,
      r.unit.id,
      r.targetPeriod ? pidOf.get(r.targetPeriod.code)! : null,
      r.groupId,
      r.emit,
    ]),
    plan_groups: plan.groups.map((g) => [g.groupId, g.indicator.code, g.indicator.rule, g.unit.id, g.targetPeriod?.code ?? null]),
    plan_parts: plan.parts.map((p) => [p.templateId, p.role, p.side, p.base, p.rule, p.period, p.ord]),
  };
}

interface ResultRow {
  value: number | null;
  target: number | null;
  achievementPct: number | null;
  samePeriodValue: number | null;
  samePeriodPct: number | null;
  complete: boolean;
}

const num = (x: unknown): number | null => (x === null || x === undefined ? null : Number(x));

/** Receives the time each step of a query took, for logs and benchmarks. */
export type StepTracer = (step: string, ms: number) => void;

async function traced<T>(trace: StepTracer | undefined, step: string, fn: () => Promise<T>): Promise<T> {
  if (!trace) return fn();
  const started = process.hrtime.bigint();
  try {
    return await fn();
  } finally {
    trace(step, Number(process.hrtime.bigint() - started) / 1e6);
  }
}

/** Thrown when the store's unit tables hold another catalogue than the one a plan was made from. */
export class CatalogChangedError extends Error {
  constructor(expected: string, found: string | null) {
    super(`The store holds catalogue ${found ?? '(none)'}, the plan was made from ${expected}`);
    this.name = 'CatalogChangedError';
  }
}

/**
 * Loads a plan and computes it; returns the numbers keyed by `ROW:<rowId>` and `TOTAL:<groupId>`.
 * With `catalogDigest`, first checks (in the same transaction) that the store's unit tables hold that
 * catalogue and throws {@link CatalogChangedError} when they do not.
 */
export async function computePlan(
  connection: DuckDBConnection,
  plan: AggregatePlan,
  trace?: StepTracer,
  catalogDigest?: string,
): Promise<Map<string, ResultRow>> {
  await connection.run('BEGIN TRANSACTION');
  try {
    if (catalogDigest !== undefined) {
      const meta = await queryRows(connection, readMetaStatement(CATALOG_DIGEST));
      const found = meta.length ? String(meta[0]!.value) : null;
      if (found !== catalogDigest) throw new CatalogChangedError(catalogDigest, found);
    }
    await traced(trace, 'create plan tables', async () => {
      for (const s of createPlanTablesStatements()) await runStatement(connection, s);
    });
    await traced(trace, 'load plan', async () => {
      const tables = planTableRows(plan);
      for (const name of Object.keys(PLAN_TABLES) as PlanTable[]) {
        if (tables[name].length) await appendRows(connection, name, PLAN_TABLES[name], tables[name], true);
      }
    });
    for (const s of derivedTablesStatements()) {
      await traced(trace, s.sql.slice(0, 60).replace(/\s+/g, ' '), () => runStatement(connection, s));
    }
    const stages = (await queryRows(connection, stagesStatement())).map((r) => ({
      stage: Number(r.stage),
      shortest: r.shortest === null ? Infinity : Number(r.shortest),
      targets: Number(r.targets),
    }));
    const grains = new Set(plan.periods.filter((p) => p.value).map((p) => p.grain));
    for (const grain of GRAIN_ORDER) {
      if (!grains.has(grain)) continue;
      for (const { stage, shortest } of stages) {
        // No value as short as this grain: the step would find nothing to store.
        if (shortest > GRAIN_LENGTH[grain]) continue;
        await traced(trace, `values ${grain} stage ${stage}`, () => runStatement(connection, valueStepStatement(grain, stage)));
      }
    }
    if (plan.periods.some((p) => p.target)) {
      for (const { stage, targets } of stages) {
        if (!targets) continue;
        await traced(trace, `targets stage ${stage}`, () => runStatement(connection, targetStepStatement(stage)));
      }
    }
    const out = new Map<string, ResultRow>();
    const result = await traced(trace, 'result', () => queryRows(connection, resultStatement()));
    for (const r of result) {
      out.set(`${String(r.kind)}:${Number(r.id)}`, {
        value: num(r.value),
        target: num(r.target),
        achievementPct: num(r.achievement_pct),
        samePeriodValue: num(r.same_value),
        samePeriodPct: num(r.same_pct),
        complete: r.complete !== false,
      });
    }
    return out;
  } finally {
    // Nothing the query wrote is kept: its tables are temporary and its transaction only read.
    await connection.run('ROLLBACK').catch(() => undefined);
  }
}

/**
 * Answers an aggregate query by DESIGN.md section 3. The plan (units, periods, parts) is made in
 * TypeScript from the catalogue; every number is computed in DuckDB over the store's facts and unit
 * tables, inside one read transaction so that a concurrent feed batch is seen whole or not at all.
 */
export async function runAggregate(
  store: AnalyticsStore,
  catalog: UnitCatalog,
  request: AggregateRequest,
  options: AggregateOptions = {},
): Promise<AggregateRow[]> {
  const trace = options.trace;
  const started = process.hrtime.bigint();
  const plan = planAggregate(catalog, request, { scope: options.scope, maxRows: options.maxRows });
  trace?.('plan', Number(process.hrtime.bigint() - started) / 1e6);
  if (!plan.output.length) return [];
  // The rollups read the store's copy of the catalogue; it must be the one the plan was made from. A
  // catalogue synced by someone else between the two is caught inside the read transaction.
  const digest = catalog.digest();
  const compute = async () => {
    await store.syncCatalog(catalog);
    return store.withConnection((c) => computePlan(c, plan, trace, digest), { timeoutMs: options.timeoutMs });
  };
  let results: Map<string, ResultRow>;
  try {
    results = await compute();
  } catch (error) {
    if (!(error instanceof CatalogChangedError)) throw error;
    results = await compute();
  }
  return plan.output.map(({ kind, id }) => {
    const numbers = results.get(`${kind}:${id}`)!;
    const meta = kind === 'ROW' ? plan.rows[id]! : plan.groups[id]!;
    return {
      indicator: meta.indicator.code,
      unitId: meta.unit.id,
      unitCode: meta.unit.code,
      period: meta.period.code,
      term: meta.term,
      value: numbers.value,
      target: numbers.target,
      achievementPct: numbers.achievementPct,
      samePeriodValue: numbers.samePeriodValue,
      samePeriodPct: numbers.samePeriodPct,
      complete: numbers.complete,
      total: kind === 'TOTAL',
      boundariesAsOf: meta.boundariesAsOf,
    };
  });
}
