import type { Request } from 'express';

/** The one label every request that matched no route shares. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The label of a request in HTTP metrics: the template of the route that handled it (`/feed/:name`,
 * never the path that was sent), the path a middleware such as Apollo's is mounted at (`/graphql`),
 * and {@link UNMATCHED_ROUTE} for anything else. Labels by raw path let anyone add a time series per
 * request (25,000 random paths made /metrics 38 MB); these are as many as the routes the code has.
 * Read it once the response has finished, when Express has recorded which route handled it.
 */
export function routeLabel(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  // Express matches paths case-insensitively and reports the mount path as it was sent.
  const base = (req.baseUrl ?? '').toLowerCase();
  if (typeof route === 'string') return `${base}${route}`;
  return base || UNMATCHED_ROUTE;
}
