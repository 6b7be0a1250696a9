import { DomainServiceConfig, readDomainServiceConfig } from '@lgr/observations';

/** Reads the social subgraph's configuration (port 4004 unless PORT says otherwise). */
export function readConfig(env: Record<string, string | undefined> = process.env): DomainServiceConfig {
  return readDomainServiceConfig(4004, env);
}
