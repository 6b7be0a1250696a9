import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  isListType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { clientError, ErrorCode } from '@lgr/schema';
import type { GatewayContext } from './context';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxRootFields: number;
  readonly maxCost: number;
}

export interface QueryMetrics {
  readonly depth: number;
  readonly aliases: number;
  readonly rootFields: number;
  readonly cost: number;
}

/** A list field without a size argument is assumed to return this many items. */
export const DEFAULT_LIST_SIZE = 20;
const SIZE_ARGUMENTS = ['first', 'last', 'limit'];

/**
 * Measures an operation before it runs: nesting depth, aliases, root fields and a cost in which
 * every field costs 1 and a list multiplies what is selected under it by its size (`first`/`limit`
 * when given, else {@link DEFAULT_LIST_SIZE}). Fragments are expanded; a fragment cycle stops the walk
 * (graphql's own validation reports it).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> = {},
): QueryMetrics {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName)) operation ??= def;
  }
  if (!operation) return { depth: 0, aliases: 0, rootFields: 0, cost: 0 };
  let aliases = 0;
  let depth = 0;

  const sizeOf = (field: FieldNode): number | undefined => {
    for (const arg of field.arguments ?? []) {
      if (SIZE_ARGUMENTS.includes(arg.name.value)) {
        const n = Number(valueOf(arg.value, variables));
        if (Number.isFinite(n) && n >= 0) return n;
      }
    }
    return undefined;
  };

  /** Cost of a selection set under `parent`; `inheritedSize` carries a connection's `first` to its edges. */
  const walk = (set: SelectionSetNode, parent: GraphQLObjectType | undefined, level: number, seen: ReadonlySet<string>, inheritedSize?: number): number => {
    depth = Math.max(depth, level);
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        const def = parent?.getFields()[sel.name.value];
        const type = def ? getNullableType(def.type) : undefined;
        const named = type ? getNamedType(type) : undefined;
        const child = named && isObjectType(named) ? named : undefined;
        let multiplier = 1;
        const size = sizeOf(sel);
        if (type && isListType(type)) {
          multiplier = size ?? (sel.name.value === 'edges' || sel.name.value === 'nodes' ? (inheritedSize ?? DEFAULT_LIST_SIZE) : DEFAULT_LIST_SIZE);
        }
        const inner = sel.selectionSet ? walk(sel.selectionSet, child, level + 1, seen, size) : 0;
        cost += 1 + multiplier * inner;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typeName = sel.typeCondition?.name.value;
        const t = typeName ? schema.getType(typeName) : parent;
        cost += walk(sel.selectionSet, t && isObjectType(t) ? t : parent, level, seen, inheritedSize);
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || seen.has(name)) continue;
        const t = schema.getType(frag.typeCondition.name.value);
        cost += walk(frag.selectionSet, t && isObjectType(t) ? t : parent, level, new Set([...seen, name]), inheritedSize);
      }
    }
    return cost;
  };

  const root =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const cost = walk(operation.selectionSet, root ?? undefined, 1, new Set());
  const rootFields = countRootFields(operation.selectionSet, fragments);
  return { depth, aliases, rootFields, cost };
}

function countRootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) n += sel.name.value === '__typename' ? 0 : 1;
    else if (sel.kind === Kind.INLINE_FRAGMENT) n += countRootFields(sel.selectionSet, fragments, seen);
    else if (!seen.has(sel.name.value) && fragments.has(sel.name.value)) {
      n += countRootFields(fragments.get(sel.name.value)!.selectionSet, fragments, new Set([...seen, sel.name.value]));
    }
  }
  return n;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
  return undefined;
}

/** The first limit an operation breaks, as a client error naming the limit and the measured value. */
export function checkLimits(metrics: QueryMetrics, limits: QueryLimits): GraphQLError | undefined {
  const http = { status: 400 };
  if (metrics.depth > limits.maxDepth) {
    return clientError(ErrorCode.QUERY_TOO_DEEP, `Query depth ${metrics.depth} exceeds the limit of ${limits.maxDepth}`, { http, limit: limits.maxDepth });
  }
  if (metrics.aliases > limits.maxAliases) {
    return clientError(ErrorCode.TOO_MANY_ALIASES, `Query uses ${metrics.aliases} aliases; the limit is ${limits.maxAliases}`, { http, limit: limits.maxAliases });
  }
  if (metrics.rootFields > limits.maxRootFields) {
    return clientError(ErrorCode.TOO_MANY_ROOT_FIELDS, `Query asks for ${metrics.rootFields} root fields; the limit is ${limits.maxRootFields}`, { http, limit: limits.maxRootFields });
  }
  if (metrics.cost > limits.maxCost) {
    return clientError(ErrorCode.QUERY_TOO_COMPLEX, `Query cost ${metrics.cost} exceeds the budget of ${limits.maxCost} (lists multiply what is selected under them; ask for fewer items with first/limit)`, { http, limit: limits.maxCost, cost: metrics.cost });
  }
  return undefined;
}

/** Refuses an operation over the depth, alias, root-field or cost limits before it is planned. */
export function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<GatewayContext>) {
          const metrics = measureOperation(ctx.schema, ctx.document!, ctx.operationName, ctx.request.variables ?? {});
          const error = checkLimits(metrics, limits);
          if (error) throw error;
        },
      };
    },
  };
}

/** Refuses a batch of more than `maxBatch` operations. */
export function batchCap(maxBatch: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (Array.isArray(req.body) && req.body.length > maxBatch) {
      return next(clientError(ErrorCode.BATCH_TOO_LARGE, `A batch may hold at most ${maxBatch} operations; this one holds ${req.body.length}`, { http: { status: 400 } }));
    }
    next();
  };
}
