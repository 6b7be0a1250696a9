import { checkSchemas, CompositionError, writeSchemas } from './compose';

/** `schema:write` regenerates the committed subgraph SDLs and supergraph; `schema:check` fails on any drift. */
async function main(command: string | undefined): Promise<number> {
  if (command === 'write') {
    const written = await writeSchemas();
    process.stdout.write(`wrote ${written.map((f) => `schema/${f}`).join(', ')}\n`);
    return 0;
  }
  if (command === 'check') {
    const result = await checkSchemas();
    if (result.ok) {
      process.stdout.write('schema:check: the committed supergraph and subgraph SDLs are current\n');
      return 0;
    }
    process.stderr.write(
      `schema:check: out of date: ${result.stale.map((f) => `schema/${f}`).join(', ')}; run npm run schema:write and commit\n`,
    );
    if (result.breaking.length)
      process.stderr.write(`breaking changes for clients:\n${result.breaking.map((b) => `  - ${b}`).join('\n')}\n`);
    return 1;
  }
  process.stderr.write('usage: schema-cli write|check\n');
  return 2;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error instanceof CompositionError ? error.message : error.stack}\n`);
    process.exit(1);
  },
);
