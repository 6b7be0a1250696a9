import { GRAINS, LEVELS } from '@lgr/schema';
import { MAX_QUERY_INDICATORS, MAX_QUERY_PERIODS, MAX_QUERY_UNITS } from '../aggregate/limits';
import type { AggregateInput } from '../aggregate/service';
import { SerializedSql, SqlRejection } from '../sandbox/guard';

/** The table function that gives the engine's rolled-up answers in SQL. */
export const AGGREGATE_FUNCTION = 'aggregate';

/** Most `aggregate(...)` calls one query may make (each is one engine run). */
export const MAX_AGGREGATE_CALLS = 8;

const USAGE =
  "aggregate(indicators, units, periods [, level := 'COMMUNE'] [, boundaries_as_of := 'YYYY-MM-DD']), e.g. aggregate(['PB_NEW_MEMBERS'], ['304'], ['2025S1'])";

/** One `aggregate(...)` table reference of a query: its parse-tree node and the question it asks. */
export interface AggregateCall {
  readonly node: Record<string, unknown>;
  readonly input: AggregateInput;
}

type Node = Record<string, unknown>;

/**
 * Finds every `aggregate(...)` table reference in DuckDB's parse of a query and reads its arguments,
 * which must be literals: lists of strings for indicators, units and periods, and strings for the
 * named arguments. Anything else (a column, a parameter, an expression, an unknown argument) is a
 * {@link SqlRejection} naming the argument, so that no value of the query ever reaches the engine
 * except as the literal the analyst wrote.
 */
export function findAggregateCalls(serialized: SerializedSql): AggregateCall[] {
  const calls: AggregateCall[] = [];
  visit(serialized.statements?.[0]?.node, (node) => {
    if (node.type !== 'TABLE_FUNCTION' || !('sample' in node)) return;
    const fn = node.function as Node | undefined;
    if (String(fn?.function_name ?? '').toLowerCase() !== AGGREGATE_FUNCTION) return;
    if (String(fn?.schema ?? '') !== '' || String(fn?.catalog ?? '') !== '')
      throw new SqlRejection(`aggregate() may not be qualified with a schema; use ${USAGE}`);
    calls.push({ node, input: readArguments((fn?.children as Node[] | undefined) ?? []) });
  });
  if (calls.length > MAX_AGGREGATE_CALLS)
    throw new SqlRejection(
      `A query may call aggregate() at most ${MAX_AGGREGATE_CALLS} times; this one calls it ${calls.length} times`,
    );
  return calls;
}

function visit(value: unknown, fn: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, fn);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Node;
  fn(node);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'value' && node.class === 'CONSTANT') continue;
    visit(child, fn);
  }
}

const POSITIONAL = ['indicators', 'units', 'periods'] as const;
const NAMED: Record<string, keyof AggregateInput> = {
  indicators: 'indicators',
  units: 'units',
  periods: 'periods',
  level: 'level',
  boundaries_as_of: 'boundariesAsOf',
  from: 'from',
  to: 'to',
  grain: 'grain',
};

function readArguments(args: readonly Node[]): AggregateInput {
  const input: Record<string, unknown> = {};
  let position = 0;
  for (const arg of args) {
    const named = namedArgument(arg);
    if (named) {
      const field = NAMED[named.name];
      if (!field)
        throw new SqlRejection(
          `aggregate() has no argument "${named.name}"; it takes ${Object.keys(NAMED).join(', ')}`,
        );
      if (field in input) throw new SqlRejection(`aggregate() argument "${named.name}" is given twice`);
      input[field] = readValue(field, named.value, named.name);
      continue;
    }
    const field = POSITIONAL[position];
    if (!field)
      throw new SqlRejection(
        `aggregate() takes at most ${POSITIONAL.length} positional arguments (${POSITIONAL.join(', ')}); use named arguments for the rest: ${USAGE}`,
      );
    if (field in input) throw new SqlRejection(`aggregate() argument "${field}" is given twice`);
    input[field] = readValue(field, arg, field);
    position += 1;
  }
  for (const field of ['indicators', 'units'] as const) {
    if (!input[field]) throw new SqlRejection(`aggregate() needs the argument "${field}": ${USAGE}`);
  }
  if (!input.periods && !(input.from && input.to))
    throw new SqlRejection(`aggregate() needs "periods", or "from" and "to": ${USAGE}`);
  return input as AggregateInput;
}

/** `name := value` parses as a value with an alias, `name = value` as a comparison with a column. */
function namedArgument(arg: Node): { name: string; value: Node } | undefined {
  if (typeof arg.alias === 'string' && arg.alias !== '')
    return { name: arg.alias.toLowerCase(), value: { ...arg, alias: '' } };
  if (arg.class === 'COMPARISON' && arg.type === 'COMPARE_EQUAL') {
    const left = arg.left as Node;
    const names = left?.column_names as string[] | undefined;
    if (left?.class === 'COLUMN_REF' && names?.length === 1)
      return { name: names[0]!.toLowerCase(), value: arg.right as Node };
  }
  return undefined;
}

const LIST_LIMITS: Record<string, number> = {
  indicators: MAX_QUERY_INDICATORS,
  units: MAX_QUERY_UNITS,
  periods: MAX_QUERY_PERIODS,
};

function readValue(field: keyof AggregateInput, node: Node, name: string): unknown {
  if (field in LIST_LIMITS) {
    const items = isList(node) ? ((node.children as Node[]) ?? []).map((c) => literal(c, name)) : [literal(node, name)];
    if (items.length === 0) throw new SqlRejection(`aggregate() argument "${name}" is an empty list`);
    if (items.length > LIST_LIMITS[field]!)
      throw new SqlRejection(
        `aggregate() argument "${name}" may list at most ${LIST_LIMITS[field]} items; it lists ${items.length}`,
      );
    return items;
  }
  const value = literal(node, name);
  if (field === 'level' && !LEVELS.includes(value.toUpperCase() as never))
    throw new SqlRejection(`aggregate() argument "level" must be one of ${LEVELS.join(', ')}; got '${value}'`);
  if (field === 'grain' && !GRAINS.includes(value.toUpperCase() as never))
    throw new SqlRejection(`aggregate() argument "grain" must be one of ${GRAINS.join(', ')}; got '${value}'`);
  if (field === 'boundariesAsOf' && !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new SqlRejection(`aggregate() argument "boundaries_as_of" must be a date as 'YYYY-MM-DD'; got '${value}'`);
  return field === 'level' || field === 'grain' ? value.toUpperCase() : value;
}

/** `['a', 'b']` parses as a list_value call, `ARRAY['a', 'b']` as an array constructor. */
function isList(node: Node): boolean {
  if (node.class === 'OPERATOR' && node.type === 'ARRAY_CONSTRUCTOR') return true;
  return node.class === 'FUNCTION' && ['list_value', 'array_value'].includes(String(node.function_name));
}

/** A string or integer literal as text; anything else is refused, naming the argument. */
function literal(node: Node, name: string): string {
  if (node.class === 'CONSTANT') {
    const v = node.value as { is_null?: boolean; value?: unknown; type?: { id?: string } } | undefined;
    if (!v || v.is_null) throw new SqlRejection(`aggregate() argument "${name}" may not be NULL`);
    if (typeof v.value === 'string' || (typeof v.value === 'number' && Number.isInteger(v.value)))
      return String(v.value);
  }
  throw new SqlRejection(
    `aggregate() argument "${name}" must be written as literals (strings in single quotes), not as an expression, column or parameter: ${USAGE}`,
  );
}
