import { exitOnConfigError } from '@lgr/kit/config';
import { readPlatformConfig } from './config';
import { startPlatform } from './launcher';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => readPlatformConfig(process.env));
  process.stdout.write(`Starting the platform (data in ${config.DATA_DIR})...\n`);
  const platform = await startPlatform(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping every service...\n`);
    platform.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.stdout.write(
    [
      '',
      'The platform is up.',
      `  GraphQL (and Apollo Sandbox in a browser): ${platform.gatewayUrl}`,
      `  Analysts' SQL: POST ${platform.gatewayUrl.replace(/\/graphql$/, '/sql')}`,
      '  Local admin token (12 h; `npm run token -- --help` mints others):',
      `    ${platform.adminToken}`,
      '  Try:',
      `    curl -s ${platform.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer <token>" \\`,
      `      -d '{"query":"{ unit(code: \\"304\\", asOf: \\"2025-01-01\\") { name level children { code name } } }"}'`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`The platform did not start: ${error.message}\n`);
  process.exit(1);
});
