import {
  DocumentNode,
  FieldNode,
  getNamedType,
  GraphQLError,
  GraphQLField,
  GraphQLSchema,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { clientError, ErrorCode } from '@lgr/schema';
import { isPublic } from '@lgr/kit/roles';
import type { GatewayContext } from './context';

/** The subgraphs whose fields an anonymous caller may select: reference data and analytics' figures. */
const PUBLIC_GRAPHS = new Set(['REFERENCE', 'ANALYTICS']);

/**
 * Which fields an anonymous caller may select, read from the supergraph: a field is open when the
 * reference or analytics subgraph resolves it. Every field of the domain subgraphs (recorded figures,
 * Party organisations, budget estimates, ...) is closed, including fields added later, because the
 * policy is derived from where a field lives rather than from a list that has to be kept up to date.
 */
export class PublicFieldPolicy {
  private readonly open = new Set<string>();

  constructor(supergraphSdl: string) {
    const document = parse(supergraphSdl);
    for (const def of document.definitions) {
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const typeGraphs = graphsOf(def.directives ?? [], 'join__type');
      for (const field of def.fields ?? []) {
        const fieldGraphs = graphsOf(field.directives ?? [], 'join__field');
        const graphs = fieldGraphs.length ? fieldGraphs : typeGraphs;
        if (graphs.some((g) => PUBLIC_GRAPHS.has(g))) this.open.add(`${def.name.value}.${field.name.value}`);
      }
    }
  }

  /** Whether an anonymous caller may select `field` of `typeName`. */
  allows(typeName: string, field: string): boolean {
    return this.open.has(`${typeName}.${field}`);
  }
}

function graphsOf(
  directives: readonly {
    name: { value: string };
    arguments?: readonly { name: { value: string }; value: unknown }[];
  }[],
  name: string,
): string[] {
  const graphs: string[] = [];
  for (const directive of directives) {
    if (directive.name.value !== name) continue;
    const graph = directive.arguments?.find((a) => a.name.value === 'graph')?.value as
      { kind: string; value: string } | undefined;
    if (graph?.kind === Kind.ENUM) graphs.push(graph.value);
  }
  return graphs;
}

/**
 * The arguments through which a field asks for figures of particular indicators: `aggregate(query:
 * { indicators })` and `AdminUnit.indicator(code)`. An anonymous caller may name only published ones.
 */
const INDICATOR_ARGUMENTS: Record<string, (args: Record<string, unknown>) => unknown[]> = {
  'Query.aggregate': (args) => {
    const query = args.query as { indicators?: unknown } | undefined;
    return Array.isArray(query?.indicators) ? query.indicators : [undefined];
  },
  'AdminUnit.indicator': (args) => [args.code],
};

/**
 * Checks an operation of an anonymous caller before it runs: only a query, only open fields (see
 * {@link PublicFieldPolicy}), and only the published indicators. Returns the refusal, or undefined.
 * The whole document is checked, not just the operation that runs, so no fragment or second operation
 * can carry a closed field past the check.
 */
export function checkPublicOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  policy: PublicFieldPolicy,
  indicators: readonly string[],
): GraphQLError | undefined {
  const published = new Set(indicators);
  const list = indicators.join(', ');
  const signIn = 'sign in with a token for anything else';
  let refusal: GraphQLError | undefined;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        if (node.operation !== 'query' && !refusal) {
          refusal = forbidden(`Anonymous callers may only read; ${signIn}`);
        }
      },
      Field(node: FieldNode) {
        if (refusal) return false;
        const parent = typeInfo.getParentType();
        const name = node.name.value;
        if (name === '__typename' || name === '__schema' || name === '__type') return undefined;
        if (!parent || !policy.allows(getNamedType(parent).name, name)) {
          refusal = forbidden(
            `Anonymous callers may read only reference data and the published indicators (${list}); ${signIn} such as ${parent ? `${parent.name}.` : ''}${name}`,
          );
          return false;
        }
        const check = INDICATOR_ARGUMENTS[`${getNamedType(parent).name}.${name}`];
        const def = typeInfo.getFieldDef();
        if (check && def) {
          let args: Record<string, unknown>;
          try {
            args = getArgumentValues(def as GraphQLField<unknown, unknown>, node, variables);
          } catch (error) {
            refusal = clientError(ErrorCode.BAD_USER_INPUT, (error as Error).message);
            return false;
          }
          const closed = check(args).filter((code) => typeof code !== 'string' || !published.has(code));
          if (closed.length) {
            refusal = forbidden(`Anonymous callers may read only the published indicators (${list}); ${signIn}`);
            return false;
          }
        }
        return undefined;
      },
    }),
  );
  return refusal;
}

function forbidden(message: string): GraphQLError {
  return clientError(ErrorCode.FORBIDDEN, message, { http: { status: 403 } });
}

/** Holds an anonymous caller's operation to reference data and the public indicators. */
export function publicAccessPlugin(
  policy: PublicFieldPolicy,
  indicators: readonly string[],
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart(start) {
      if (!isPublic(start.contextValue.identity)) return {};
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<GatewayContext>) {
          const error = checkPublicOperation(
            ctx.schema,
            ctx.document!,
            ctx.request.variables ?? {},
            policy,
            indicators,
          );
          if (error) throw error;
        },
      };
    },
  };
}
