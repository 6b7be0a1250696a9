export { startGateway as start, startGateway, maskGatewayError } from './gateway';
export type { GatewayOptions, RunningGateway, SubgraphName } from './gateway';
export { createAuthenticator } from './auth';
export { measureOperation, checkLimits, DEFAULT_LIST_SIZE } from './limits';
export type { QueryLimits, QueryMetrics } from './limits';
export { RateLimiter } from './rate-limit';
export { defaultSupergraphPath } from './supergraph';
