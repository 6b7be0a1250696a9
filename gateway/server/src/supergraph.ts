import { dirname, join } from 'node:path';

/** Where the committed supergraph lives: `schema/supergraph.graphql` in the shared domain package. */
export function defaultSupergraphPath(): string {
  return join(dirname(require.resolve('@lgr/schema/package.json')), 'supergraph.graphql');
}
