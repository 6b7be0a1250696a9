import { printSubgraphSdl } from '@lgr/kit';
import { SUBGRAPH_BUILDERS } from './subgraphs';

/**
 * Prints one subgraph's SDL on stdout. Composition runs this once per subgraph in its own process:
 * type-graphql keeps its metadata in one global store, so schemas built side by side in one process
 * would see each other's field resolvers.
 */
async function main(name: string | undefined): Promise<void> {
  const build = name ? SUBGRAPH_BUILDERS[name as keyof typeof SUBGRAPH_BUILDERS] : undefined;
  if (!build)
    throw new Error(`Expected a subgraph name (${Object.keys(SUBGRAPH_BUILDERS).join(', ')}), got ${String(name)}`);
  process.stdout.write(printSubgraphSdl(await build()));
}

main(process.argv[2]).catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
