import { z } from 'zod';
import { servicePortVars } from '@lgr/kit/config';
import { DEFAULT_HOST, SERVICE_TABLE, ServiceName, serviceUrlAt } from '@lgr/kit/services';

/**
 * HOST and GATEWAY_PORT ... ANALYTICS_PORT: where the launcher starts each service of the service
 * table and where the CLI looks for it, so one variable moves both.
 */
export const servicePortsEnv = {
  HOST: z.string().default(DEFAULT_HOST),
  ...servicePortVars(),
};

export type ServicePorts = z.infer<z.ZodObject<typeof servicePortsEnv>>;

/** The port a service runs on under `config`. */
export function portOf(config: ServicePorts, name: ServiceName): number {
  return config[SERVICE_TABLE[name].portVar];
}

/** `http://<HOST>:<port>` of a service under `config`. */
export function serviceUrl(config: ServicePorts, name: ServiceName): string {
  return serviceUrlAt(portOf(config, name), config.HOST);
}

/** The gateway's GraphQL endpoint under `config`. */
export function gatewayGraphqlUrl(config: ServicePorts): string {
  return `${serviceUrl(config, 'gateway')}/graphql`;
}
