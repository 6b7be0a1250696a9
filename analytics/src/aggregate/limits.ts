/*
 * The largest lists an aggregate query may carry, for GraphQL's \`AggregateQuery\` and for exports
 * alike; a dashboard asking for more should page.
 */

/** Most indicators in one aggregate query. */
export const MAX_QUERY_INDICATORS = 100;
/** Most units in one aggregate query. */
export const MAX_QUERY_UNITS = 1000;
/** Most periods in one aggregate query. */
export const MAX_QUERY_PERIODS = 500;
