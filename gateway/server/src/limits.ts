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
import { BoundedCache } from '@lgr/kit/bounded-cache';
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
  /** The fragments of a cycle (A spreads B spreads A), when the document has one. */
  readonly fragmentCycle?: readonly string[];
}

/** A list field without a size argument is assumed to return this many items. */
export const DEFAULT_LIST_SIZE = 20;
const SIZE_ARGUMENTS = ['first', 'last', 'limit'];

/** What a selection set adds up to: its cost, how many selection sets deep it goes, its aliases. */
interface Measure {
  readonly cost: number;
  readonly depth: number;
  readonly aliases: number;
}

/** Thrown inside the walk when a fragment spreads itself, directly or through others. */
class FragmentCycle extends Error {
  constructor(readonly names: readonly string[]) {
    super(`fragment cycle ${names.join(' -> ')}`);
  }
}

/**
 * Measures an operation before it runs: nesting depth, aliases, root fields and a cost in which
 * every field costs 1 and a list multiplies what is selected under it by its size (`first`/`limit`
 * when given, else {@link DEFAULT_LIST_SIZE}; at least 1). A size that comes from a variable counts
 * with the value sent, else with the variable's default. Fragments count as if expanded, but each
 * fragment is measured once per type and inherited size and its measure reused, so a document whose
 * fragments spread each other twice per level (2^n fields when expanded) is measured in time linear
 * in its length. A fragment cycle is reported instead of measured.
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
    else if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName))
      operation ??= def;
  }
  if (!operation) return { depth: 0, aliases: 0, rootFields: 0, cost: 0 };
  const values = { ...variableDefaults(operation), ...definedOnly(variables) };
  const walker = new SelectionWalker(schema, fragments, values);
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  try {
    const measure = walker.selectionSet(operation.selectionSet, root ?? undefined);
    const rootFields = countRootFields(operation.selectionSet, fragments);
    return { depth: measure.depth, aliases: measure.aliases, rootFields, cost: measure.cost };
  } catch (error) {
    if (error instanceof FragmentCycle)
      return { depth: 0, aliases: 0, rootFields: 0, cost: 0, fragmentCycle: error.names };
    throw error;
  }
}

/** The default values of an operation's variables that a size argument can use (numbers). */
function variableDefaults(operation: OperationDefinitionNode): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue) defaults[def.variable.name.value] = valueOf(def.defaultValue, {});
  }
  return defaults;
}

function definedOnly(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== undefined));
}

/** Walks selection sets, measuring each fragment once per (type, inherited size). */
class SelectionWalker {
  private readonly memo = new Map<string, Measure>();
  private readonly inProgress: string[] = [];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  /** The measure of a selection set under `parent`; `inheritedSize` carries a connection's `first` to its edges. */
  selectionSet(set: SelectionSetNode, parent: GraphQLObjectType | undefined, inheritedSize?: number): Measure {
    let cost = 0;
    let depth = 1;
    let aliases = 0;
    for (const sel of set.selections) {
      let m: Measure;
      if (sel.kind === Kind.FIELD) {
        m = this.field(sel, parent, inheritedSize);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const typeName = sel.typeCondition?.name.value;
        m = this.selectionSet(sel.selectionSet, this.objectType(typeName, parent), inheritedSize);
      } else {
        const found = this.fragment(sel.name.value, parent, inheritedSize);
        if (!found) continue;
        m = found;
      }
      cost += m.cost;
      depth = Math.max(depth, m.depth);
      aliases += m.aliases;
    }
    return { cost, depth, aliases };
  }

  private field(sel: FieldNode, parent: GraphQLObjectType | undefined, inheritedSize: number | undefined): Measure {
    const def = parent?.getFields()[sel.name.value];
    const type = def ? getNullableType(def.type) : undefined;
    const named = type ? getNamedType(type) : undefined;
    const child = named && isObjectType(named) ? named : undefined;
    const size = this.sizeOf(sel);
    let multiplier = 1;
    if (type && isListType(type)) {
      const listSize =
        size ??
        (sel.name.value === 'edges' || sel.name.value === 'nodes'
          ? (inheritedSize ?? DEFAULT_LIST_SIZE)
          : DEFAULT_LIST_SIZE);
      // An empty page still costs its selection once, so `first: 0` cannot hide a huge selection.
      multiplier = Math.max(1, listSize);
    }
    const inner = sel.selectionSet
      ? this.selectionSet(sel.selectionSet, child, size)
      : { cost: 0, depth: 0, aliases: 0 };
    return { cost: 1 + multiplier * inner.cost, depth: 1 + inner.depth, aliases: (sel.alias ? 1 : 0) + inner.aliases };
  }

  /** The measure of a fragment spread, or undefined for an unknown fragment (graphql's validation reports it). */
  private fragment(
    name: string,
    parent: GraphQLObjectType | undefined,
    inheritedSize: number | undefined,
  ): Measure | undefined {
    const frag = this.fragments.get(name);
    if (!frag) return undefined;
    const type = this.objectType(frag.typeCondition.name.value, parent);
    const key = `${name}|${type?.name ?? ''}|${inheritedSize ?? ''}`;
    const known = this.memo.get(key);
    if (known) return known;
    if (this.inProgress.includes(name))
      throw new FragmentCycle([...this.inProgress.slice(this.inProgress.indexOf(name)), name]);
    this.inProgress.push(name);
    try {
      // A fragment's selections sit at the level of the set it is spread in, so its set's depth is the spread's.
      const measure = this.selectionSet(frag.selectionSet, type, inheritedSize);
      this.memo.set(key, measure);
      return measure;
    } finally {
      this.inProgress.pop();
    }
  }

  private objectType(name: string | undefined, fallback: GraphQLObjectType | undefined): GraphQLObjectType | undefined {
    const t = name ? this.schema.getType(name) : fallback;
    return t && isObjectType(t) ? t : fallback;
  }

  private sizeOf(field: FieldNode): number | undefined {
    for (const arg of field.arguments ?? []) {
      if (SIZE_ARGUMENTS.includes(arg.name.value)) {
        const n = Number(valueOf(arg.value, this.variables));
        if (Number.isFinite(n) && n >= 0) return n;
      }
    }
    return undefined;
  }
}

/** Root fields of a selection set, fragments counted as expanded (each fragment counted once and reused). */
function countRootFields(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  memo = new Map<string, number>(),
  seen = new Set<string>(),
): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) n += sel.name.value === '__typename' ? 0 : 1;
    else if (sel.kind === Kind.INLINE_FRAGMENT) n += countRootFields(sel.selectionSet, fragments, memo, seen);
    else if (!seen.has(sel.name.value) && fragments.has(sel.name.value)) {
      const name = sel.name.value;
      let count = memo.get(name);
      if (count === undefined) {
        seen.add(name);
        count = countRootFields(fragments.get(name)!.selectionSet, fragments, memo, seen);
        seen.delete(name);
        memo.set(name, count);
      }
      n += count;
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
  if (metrics.fragmentCycle) {
    const [first, ...rest] = metrics.fragmentCycle;
    return clientError(
      ErrorCode.GRAPHQL_VALIDATION_FAILED,
      `Cannot spread fragment "${first}" within itself${
        rest.length > 1
          ? ` via ${rest
              .slice(0, -1)
              .map((n) => `"${n}"`)
              .join(', ')}`
          : ''
      }.`,
      { http },
    );
  }
  if (metrics.depth > limits.maxDepth) {
    return clientError(
      ErrorCode.QUERY_TOO_DEEP,
      `Query depth ${metrics.depth} exceeds the limit of ${limits.maxDepth}`,
      { http, limit: limits.maxDepth },
    );
  }
  if (metrics.aliases > limits.maxAliases) {
    return clientError(
      ErrorCode.TOO_MANY_ALIASES,
      `Query uses ${metrics.aliases} aliases; the limit is ${limits.maxAliases}`,
      { http, limit: limits.maxAliases },
    );
  }
  if (metrics.rootFields > limits.maxRootFields) {
    return clientError(
      ErrorCode.TOO_MANY_ROOT_FIELDS,
      `Query asks for ${metrics.rootFields} root fields; the limit is ${limits.maxRootFields}`,
      { http, limit: limits.maxRootFields },
    );
  }
  if (metrics.cost > limits.maxCost) {
    return clientError(
      ErrorCode.QUERY_TOO_COMPLEX,
      `Query cost ${metrics.cost} exceeds the budget of ${limits.maxCost} (lists multiply what is selected under them; ask for fewer items with first/limit)`,
      { http, limit: limits.maxCost, cost: metrics.cost },
    );
  }
  return undefined;
}

/** Documents whose measures a gateway remembers (most recently used first). */
const MEASURED_DOCUMENTS = 1000;

/**
 * Refuses an operation over the depth, alias, root-field or cost limits before it is planned. The
 * measure of an operation without variables depends on its text alone, so it is remembered per
 * document hash and operation name; one with variables is measured with each request's values.
 */
export function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  const measured = new BoundedCache<string, QueryMetrics>(MEASURED_DOCUMENTS);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx: GraphQLRequestContext<GatewayContext>) {
          const fixed = ctx.queryHash !== undefined && !ctx.operation?.variableDefinitions?.length;
          const key = fixed ? `${ctx.queryHash}:${ctx.operationName ?? ''}` : undefined;
          let metrics = key ? measured.get(key) : undefined;
          if (!metrics) {
            metrics = measureOperation(ctx.schema, ctx.document!, ctx.operationName, ctx.request.variables ?? {});
            if (key) measured.set(key, metrics, Number.POSITIVE_INFINITY);
          }
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
      return next(
        clientError(
          ErrorCode.BATCH_TOO_LARGE,
          `A batch may hold at most ${maxBatch} operations; this one holds ${req.body.length}`,
          { http: { status: 400 } },
        ),
      );
    }
    next();
  };
}
