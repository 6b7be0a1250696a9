import { defaultPort } from '@lgr/kit';
import { DomainServiceConfig, readDomainServiceConfig } from '@lgr/observations';

/** Reads the party subgraph's configuration (its port in the service table unless PORT says otherwise). */
export function readConfig(env: Record<string, string | undefined> = process.env): DomainServiceConfig {
  return readDomainServiceConfig(defaultPort('party'), env);
}
