export { CatalogChangedError, computePlan, planTableRows, runAggregate } from './aggregate';
export type { StepTracer } from './aggregate';
export { benchAggregate, syntheticCountry, syntheticFacts } from './bench';
export type { BenchCase } from './bench';
export { planAggregate, requestedPeriods } from './plan';
export type { AggregatePlan, PartRole, PartSide, PlannedGroup, PlannedPart, PlannedPeriod, PlannedRow, PlanOptions } from './plan';
export {
  createPlanTablesStatements,
  derivedTablesStatements,
  GRAIN_LENGTH,
  GRAIN_ORDER,
  PLAN_TABLES,
  pct,
  resultStatement,
  stagesStatement,
  targetStepStatement,
  valueStepStatement,
} from './sql';
export type { PlanTable } from './sql';
export { DEFAULT_MAX_ROWS, GROUP_BY_VALUES } from './types';
export type { AggregateOptions, AggregateRequest, AggregateRow, GroupBy } from './types';
