export { AnalyticsStore, CATALOG_DIGEST, stagingRow } from './store';
export type { ConnectionOptions, StoreOptions } from './store';
/** The feed contract analytics applies; defined once in @lgr/schema. */
export type { FeedChange } from '@lgr/schema';
export * from './sql';
export { appendRows } from './append';
export { inTransaction, queryRows, runStatement } from './exec';
export { calendarRows, catalogRows, firstWholeMonth, indicatorRows, unitStages } from './rows';
export type { CatalogRows, Row } from './rows';
export {
  ensureLayout,
  expectedLayout,
  layoutDifferences,
  readLayout,
  rebuildReasons,
  STORE_LAYOUT,
  STORE_LAYOUT_VERSION,
} from './layout';
export type { Layout } from './layout';
