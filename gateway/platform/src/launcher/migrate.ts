import { spawn } from 'node:child_process';
import { PlatformConfig } from './config';
import { platformServices } from './launcher';
import { dataDirProblem, LaunchError } from './preflight';

/** The services that keep a store with migrations (analytics rebuilds its own from the feeds). */
const MIGRATED = new Set(['reference', 'party', 'economy', 'social']);

/**
 * `npm run migrate`: runs each service's `migrate` command (its pending migrations, nothing served)
 * one after the other, with the environment `npm start` would give it; stops at the first failure.
 */
export async function migrateAll(
  config: PlatformConfig,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const dataProblem = dataDirProblem(config.DATA_DIR);
  if (dataProblem) throw new LaunchError(dataProblem);
  // The secrets only sign requests; migrations make none, so placeholders keep the services' config valid.
  const placeholder = 'migrations-only-0123456789abcdef0123456789';
  const specs = platformServices(config, { jwtSecret: placeholder, internalSecret: placeholder })
    .flat()
    .filter((s) => MIGRATED.has(s.name));
  for (const spec of specs) {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [spec.entry, 'migrate'], {
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr])
        stream.on('data', (d: Buffer) =>
          String(d)
            .trimEnd()
            .split('\n')
            .forEach((l) => out(l)),
        );
      child.on('exit', (c) => resolve(c));
    });
    if (code !== 0)
      throw new LaunchError(
        `${spec.name}: migrating its store failed (exit code ${code}); the stores after it were not touched`,
      );
  }
}
