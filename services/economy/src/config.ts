import { DomainServiceConfig, readDomainServiceConfig } from '@lgr/observations';

/** Reads the economy subgraph's configuration (port 4003 unless PORT says otherwise). */
export function readConfig(env: Record<string, string | undefined> = process.env): DomainServiceConfig {
  return readDomainServiceConfig(4003, env);
}
