export { CatalogChangedError, computePlan, planTableRows, runAggregate } from './aggregate';
export type { StepTracer } from './aggregate';
export { planAggregate, requestedMeasures, requestedPeriods } from './plan';
export {
  ALL_RESULT_PARTS,
  ALL_TARGET_PARTS,
  ALL_VALUE_PARTS,
  createPlanTablesStatements,
  DERIVED_TABLES,
  derivedTablesStatements,
  factMonths,
  fillDerivedTableStatement,
  GRAIN_ORDER,
  PLAN_TABLES,
  pct,
  resultStatement,
  stagesStatement,
  targetStepStatement,
  valueStepStatement,
} from './sql';
export type {
  DerivedTable,
  FactMonths,
  PlanTable,
  ResultParts,
  StageCountKind,
  TargetStepParts,
  ValueStepParts,
} from './sql';
export { planShape, StepPlanner } from './steps';
export type { StageCount, ValueStep } from './steps';
export { DEFAULT_MAX_ROWS, GROUP_BY_VALUES, MEASURE_VALUES } from './types';
export type {
  AggregateOptions,
  AggregatePlan,
  AggregateRequest,
  AggregateRow,
  GroupBy,
  Measure,
  PartRole,
  PartSide,
  PlannedGroup,
  PlannedIndicator,
  PlannedPart,
  PlannedPeriod,
  PlannedRow,
  PlanOptions,
  PlanShape,
} from './types';
