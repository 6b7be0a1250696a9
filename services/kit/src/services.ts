/**
 * The processes of the platform: one table of names, default ports and the environment variables
 * that move them (`<NAME>_PORT` for the launcher and the CLI, `<NAME>_URL` for a service that calls
 * another; the gateway's URL is PLATFORM_URL, which the CLI reads with the `/graphql` path). Every service's configuration, the launcher and the CLI read it, so a port is
 * written once. This module loads nothing else: the CLI imports it as `@lgr/kit/services`.
 */
export const SERVICE_TABLE = {
  gateway: { port: 4000, portVar: 'GATEWAY_PORT' },
  reference: { port: 4001, portVar: 'REFERENCE_PORT', urlVar: 'REFERENCE_URL' },
  party: { port: 4002, portVar: 'PARTY_PORT', urlVar: 'PARTY_URL' },
  economy: { port: 4003, portVar: 'ECONOMY_PORT', urlVar: 'ECONOMY_URL' },
  social: { port: 4004, portVar: 'SOCIAL_PORT', urlVar: 'SOCIAL_URL' },
  analytics: { port: 4005, portVar: 'ANALYTICS_PORT', urlVar: 'ANALYTICS_URL' },
} as const;

export type ServiceName = keyof typeof SERVICE_TABLE;

/** The services behind the gateway, in the order composition and health checks list them. */
export const SUBGRAPH_NAMES = ['reference', 'party', 'economy', 'social', 'analytics'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** The domain subgraphs: each owns figures, ingest and a change feed. */
export const DOMAIN_SERVICE_NAMES = ['party', 'economy', 'social'] as const;
export type DomainServiceName = (typeof DOMAIN_SERVICE_NAMES)[number];

/** Every service, gateway first. */
export const SERVICE_NAMES = Object.keys(SERVICE_TABLE) as ServiceName[];

export const DEFAULT_HOST = '127.0.0.1';

/** `http://<host>:<port>`: the root URL of a service on `port`. */
export function serviceUrlAt(port: number, host: string = DEFAULT_HOST): string {
  return `http://${host}:${port}`;
}

/** The root URL of a service on its default port, e.g. `http://127.0.0.1:4002` for party. */
export function defaultServiceUrl(name: ServiceName): string {
  return serviceUrlAt(SERVICE_TABLE[name].port);
}
