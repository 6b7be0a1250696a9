import { exitOnConfigError } from '@lgr/kit/config';
import { readPlatformConfig } from './config';
import { Platform, startPlatform } from './launcher';
import { migrateAll } from './migrate';
import { LaunchAbortedError } from './readiness';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => readPlatformConfig(process.env));
  if (process.argv[2] === 'migrate') {
    await migrateAll(config);
    process.exit(0);
  }
  process.stdout.write(`Starting the platform (data in ${config.DATA_DIR})...\n`);
  // Signals are handled from the first moment: stopped during start-up, the launcher stops every
  // service it has started so far instead of leaving them running without it.
  const starting = new AbortController();
  let platform: Platform | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping every service...\n`);
    if (!platform) return starting.abort();
    platform.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  platform = await startPlatform(config, undefined, {}, { signal: starting.signal });
  process.stdout.write(
    [
      '',
      'The platform is up.',
      `  Console (dashboards, six-month report, GraphiQL; offline): ${platform.gatewayUrl.replace(/\/graphql$/, '/')}`,
      `  GraphQL: ${platform.gatewayUrl}`,
      `  Analysts' SQL: POST ${platform.gatewayUrl.replace(/\/graphql$/, '/sql')}`,
      ...tokenLines(config.NODE_ENV === 'production', platform.adminToken),
      '  Try:',
      `    curl -s ${platform.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer <token>" \\`,
      `      -d '{"query":"{ unit(code: \\"304\\", asOf: \\"2025-01-01\\") { name level children { code name } } }"}'`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

/**
 * The token lines of the start-up message. A development start prints a ready admin token; a
 * production start never does (logs are collected and kept, and an admin token in them is a key to
 * everything for 12 hours): tokens come from the identity provider there.
 */
function tokenLines(production: boolean, adminToken: string): string[] {
  if (production)
    return ['  Callers sign in with tokens from your identity provider (no token is printed in production).'];
  return ['  Local admin token (12 h; `npm run token -- --help` mints others):', `    ${adminToken}`];
}

main().catch((error: Error) => {
  if (error instanceof LaunchAbortedError) {
    process.stdout.write('Stopped during start-up; every service started so far has been stopped.\n');
    process.exit(130);
  }
  process.stderr.write(`The platform did not start: ${error.message}\n`);
  process.exit(1);
});
