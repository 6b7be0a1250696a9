import { DomainServiceConfig, readDomainServiceConfig } from '@lgr/observations';

/** Reads the party subgraph's configuration (port 4002 unless PORT says otherwise). */
export function readConfig(env: Record<string, string | undefined> = process.env): DomainServiceConfig {
  return readDomainServiceConfig(4002, env);
}
