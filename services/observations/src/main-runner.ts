import { exitOnConfigError } from '@lgr/kit';
import type { DomainServiceConfig } from './config';

/**
 * What a domain service's `main.ts` does: read the configuration (exiting with every problem listed
 * when it is wrong), start the service, and close it cleanly on SIGINT or SIGTERM.
 */
export async function runDomainServiceMain(
  name: string,
  readConfig: () => DomainServiceConfig,
  start: (config: DomainServiceConfig) => Promise<{ close(): Promise<void> }>,
): Promise<void> {
  const config = exitOnConfigError(readConfig);
  try {
    const server = await start(config);
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    process.stderr.write(`${name} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
