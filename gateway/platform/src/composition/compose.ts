import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { GraphQLSchema, parse } from 'graphql';
import { defaultServiceUrl, SUBGRAPH_NAMES, SubgraphName } from '@lgr/kit/services';

/** The shared domain package, where the committed subgraph SDLs and supergraph live. */
function schemaPackageDir(): string {
  return dirname(require.resolve('@lgr/schema/package.json'));
}

/** One subgraph's SDL, printed by `print-subgraph.js` in a process of its own. */
function printSubgraph(name: SubgraphName): Promise<string> {
  return new Promise((resolvePrint, reject) => {
    execFile(
      process.execPath,
      [join(__dirname, 'print-subgraph.js'), name],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`Could not print the ${name} subgraph's schema: ${stderr || error.message}`));
        else resolvePrint(stdout);
      },
    );
  });
}

export interface ComposedSchemas {
  /** File name (relative to the schema package) -> content. */
  readonly files: Record<string, string>;
}

/** Thrown when the subgraphs do not compose; lists every composition error. */
export class CompositionError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`The subgraphs do not compose:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/**
 * Prints every subgraph's SDL and composes them into the supergraph with @apollo/composition; the
 * routing URLs are the development ports (the gateway overrides them from its configuration).
 */
export async function composeSchemas(): Promise<ComposedSchemas> {
  const printed = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({
      name,
      url: `${defaultServiceUrl(name)}/graphql`,
      sdl: await printSubgraph(name),
    })),
  );
  const result = composeServices(printed.map((p) => ({ name: p.name, url: p.url, typeDefs: parse(p.sdl) })));
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message));
  const files: Record<string, string> = { 'supergraph.graphql': `${result.supergraphSdl.trim()}\n` };
  for (const p of printed) files[`subgraphs/${p.name}.graphql`] = `${p.sdl.trim()}\n`;
  return { files };
}

/** Writes the composed schemas into the schema package (`npm run schema:write`). */
export async function writeSchemas(dir = schemaPackageDir()): Promise<string[]> {
  const { files } = await composeSchemas();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return Object.keys(files);
}

export interface SchemaCheck {
  readonly ok: boolean;
  readonly stale: string[];
  readonly breaking: string[];
}

/**
 * Regenerates the schemas in memory and compares them with the committed files: any difference
 * fails (`npm run schema:check`, run by CI). Breaking changes of the public API are listed too, so a
 * reviewer sees what clients would notice.
 */
export async function checkSchemas(dir = schemaPackageDir()): Promise<SchemaCheck> {
  const { files } = await composeSchemas();
  const stale = Object.entries(files)
    .filter(([name, content]) => !existsSync(join(dir, name)) || readFileSync(join(dir, name), 'utf8') !== content)
    .map(([name]) => name);
  let breaking: string[] = [];
  const committed = join(dir, 'supergraph.graphql');
  if (existsSync(committed) && stale.includes('supergraph.graphql')) {
    const changes = await diff(apiSchema(readFileSync(committed, 'utf8')), apiSchema(files['supergraph.graphql']!));
    breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => c.message);
  }
  return { ok: stale.length === 0, stale, breaking };
}

/** The client-facing part of a supergraph: join/link machinery removed so the diff shows API changes only. */
function apiSchema(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
