import { refusedStatementKind, statementKeywords } from './statements';

/** The views analysts' SQL may read (documented in analytics/README.md). */
export const SQL_VIEWS = ['observations', 'targets', 'units', 'unit_tree', 'periods', 'indicators'] as const;
export type SqlView = (typeof SQL_VIEWS)[number];

const VIEW_LIST = SQL_VIEWS.join(', ');
const ONLY = `only a single SELECT over the views ${VIEW_LIST} is`;

/**
 * Functions refused anywhere in a query: everything that reads files or the network, reveals or
 * changes configuration, inspects the catalogue or the process, runs other SQL, or only stalls.
 * The sandbox that runs the query cannot reach files or change settings either; this list makes the
 * refusal explicit and early.
 */
const DENIED_FUNCTIONS = new Set([
  'getenv',
  'current_setting',
  'getvariable',
  'current_query',
  'current_database',
  'current_catalog',
  'current_schema',
  'current_schemas',
  'current_user',
  'current_role',
  'session_user',
  'user',
  'in_search_path',
  'version',
  'glob',
  'sniff_csv',
  'parquet_scan',
  'query',
  'query_table',
  'json_execute_serialized_sql',
  'json_serialize_plan',
  'json_serialize_sql',
  'json_deserialize_sql',
  'sleep_ms',
  'pg_sleep',
  'write_log',
  'parse_duckdb_log_message',
  'nextval',
  'currval',
  'setseed',
  'checkpoint',
  'force_checkpoint',
  'stats',
  'col_description',
  'obj_description',
  'shobj_description',
  'format_pg_type',
  'format_type',
  'get_block_size',
  'inet_client_addr',
  'inet_client_port',
  'inet_server_addr',
  'inet_server_port',
  'txid_current',
  'current_transaction_id',
  'current_query_id',
  'current_connection_id',
  'which_secret',
]);

/** Name prefixes refused for the same reasons (file readers, catalogue and system functions). */
const DENIED_PREFIXES = [
  'read_',
  'duckdb_',
  'pragma_',
  'pg_',
  'has_',
  'parquet_',
  'icu_calendar',
  'enable_',
  'disable_',
  'sql_auto',
  'test_',
  'arrow_',
  'truncate_duckdb',
];

/** A refusal of analysts' SQL; `message` says what was refused and what is allowed. */
export class SqlRejection extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlRejection';
  }
}

/** What DuckDB's `json_serialize_sql` returned for a script. */
export interface SerializedSql {
  readonly error: boolean;
  readonly error_type?: string;
  readonly error_message?: string;
  readonly statements?: readonly { node: unknown }[];
}

export function isDeniedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return DENIED_FUNCTIONS.has(lower) || DENIED_PREFIXES.some((p) => lower.startsWith(p));
}

/**
 * Decides whether analysts' SQL may run, from DuckDB's own parse of it (`json_serialize_sql`, which
 * serialises SELECT statements only) and, for the wording of a refusal, the statement keywords of the
 * text. Accepts exactly one SELECT whose every table reference is one of {@link SQL_VIEWS} or a CTE
 * in scope, with no table functions, no schema- or catalogue-qualified names and no denied functions.
 * Throws {@link SqlRejection} otherwise.
 */
export function checkSql(sql: string, serialized: SerializedSql, options: CheckOptions = {}): void {
  if (!sql.trim()) throw new SqlRejection(`The query is empty; ${ONLY} allowed`);
  const keywords = statementKeywords(sql);
  if (serialized.error || !serialized.statements || serialized.statements.length !== 1) {
    const count = serialized.statements?.length ?? keywords.length;
    if (count > 1 || keywords.length > 1) {
      throw new SqlRejection(
        `Only one statement may be sent; found ${Math.max(count, keywords.length)} (${keywords.join(', ')}). ${capitalise(ONLY)} allowed`,
      );
    }
    const kind = keywords[0] ? refusedStatementKind(keywords[0]) : undefined;
    if (kind) throw new SqlRejection(`${kind} statements are not allowed; ${ONLY}`);
    if (serialized.error && serialized.error_type !== 'not implemented') {
      throw new SqlRejection(
        `The query could not be parsed: ${firstLine(serialized.error_message ?? 'unknown error')}`,
      );
    }
    throw new SqlRejection(`${keywords[0] ?? 'This'} statements are not allowed; ${ONLY}`);
  }
  walk(serialized.statements[0]!.node, [], {
    tables: new Set((options.tables ?? []).map((t) => t.toLowerCase())),
    tableFunctions: new Set(options.tableFunctions ?? []),
  });
}

/** What a check accepts besides the views. */
export interface CheckOptions {
  /** TEMP tables made for this query (materialised table-function answers). */
  readonly tables?: readonly string[];
  /** Table functions the caller rewrites before running (`aggregate`). */
  readonly tableFunctions?: readonly string[];
}

interface Allowed {
  readonly tables: ReadonlySet<string>;
  readonly tableFunctions: ReadonlySet<string>;
}

function walk(value: unknown, ctes: readonly ReadonlySet<string>[], allowed: Allowed): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, ctes, allowed);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const node = value as Record<string, unknown>;
  let scope = ctes;
  const cteMap = node.cte_map as { map?: { key: string }[] } | undefined;
  if (cteMap?.map?.length) {
    // A WITH clause's names are visible in its body, in its own definitions (recursive CTEs) and in
    // everything nested below it, and nowhere else.
    scope = [...ctes, new Set(cteMap.map.map((e) => e.key.toLowerCase()))];
  }
  checkNode(node, scope, allowed);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'value' && node.class === 'CONSTANT') continue;
    walk(child, scope, allowed);
  }
}

function checkNode(node: Record<string, unknown>, ctes: readonly ReadonlySet<string>[], allowed: Allowed): void {
  if (isTableRef(node)) checkTableRef(node, ctes, allowed);
  // A lambda can nest generated lists inside each other (list_transform over a range of ranges) or
  // double a value at every step (list_reduce), all inside one function call, where neither the
  // size checks of the bounded functions nor an interrupt can stop it.
  if (node.class === 'LAMBDA')
    throw new SqlRejection(`Lambda functions (x -> ..., list comprehensions) are not allowed in analysts' SQL`);
  if (typeof node.function_name === 'string') checkFunction(node);
  const type = node.type as string | undefined;
  if (type === 'UNBOUND_TYPE_INFO' && (nonEmpty(node.schema) || nonEmpty(node.catalog))) {
    throw new SqlRejection(
      `Qualified type names are not allowed (${[node.catalog, node.schema, node.name].filter(nonEmpty).join('.')}); ${ONLY}`,
    );
  }
}

/** Table references are the serialised nodes with a sample clause that are neither query nodes nor expressions. */
function isTableRef(node: Record<string, unknown>): boolean {
  return typeof node.type === 'string' && 'sample' in node && !('cte_map' in node) && !('class' in node);
}

function checkTableRef(ref: Record<string, unknown>, ctes: readonly ReadonlySet<string>[], allowed: Allowed): void {
  switch (ref.type) {
    case 'BASE_TABLE': {
      const name = String(ref.table_name ?? '');
      if (nonEmpty(ref.schema_name) || nonEmpty(ref.catalog_name)) {
        const qualified = [ref.catalog_name, ref.schema_name, name].filter(nonEmpty).join('.');
        throw new SqlRejection(`Schema- or catalogue-qualified names are not allowed (${qualified}); ${ONLY}`);
      }
      if (ref.at_clause) throw new SqlRejection(`Time travel (AT ...) is not allowed; ${ONLY}`);
      const lower = name.toLowerCase();
      if (ctes.some((s) => s.has(lower))) return;
      if ((SQL_VIEWS as readonly string[]).includes(lower) || allowed.tables.has(lower)) return;
      if (/[/\\.:]/.test(name)) throw new SqlRejection(`Reading files is not allowed ('${name}'); ${ONLY}`);
      throw new SqlRejection(`Unknown table "${name}": ${ONLY} allowed`);
    }
    case 'TABLE_FUNCTION': {
      const fn = (ref.function as { function_name?: string } | undefined)?.function_name ?? 'unknown';
      if (allowed.tableFunctions.has(fn.toLowerCase())) return;
      throw new SqlRejection(`Table functions are not allowed (${fn}); ${ONLY}`);
    }
    case 'SHOW_REF': {
      if (ref.query && (ref.show_type === 'DESCRIBE' || ref.show_type === 'SUMMARY')) return;
      throw new SqlRejection(`SHOW statements are not allowed; ${ONLY}`);
    }
    case 'JOIN':
    case 'SUBQUERY':
    case 'EXPRESSION_LIST':
    case 'EMPTY':
    case 'EMPTY_FROM':
    case 'PIVOT':
      return;
    default:
      throw new SqlRejection(`${String(ref.type)} table references are not allowed; ${ONLY}`);
  }
}

function checkFunction(fn: Record<string, unknown>): void {
  const name = String(fn.function_name);
  // The parser itself names some built-ins as main.<function> (list_value for [..], struct_pack for
  // {..}); no other schema or catalogue holds anything an analyst may call.
  if ((nonEmpty(fn.schema) && String(fn.schema).toLowerCase() !== 'main') || nonEmpty(fn.catalog)) {
    throw new SqlRejection(
      `Schema- or catalogue-qualified functions are not allowed (${[fn.catalog, fn.schema, name].filter(nonEmpty).join('.')}); ${ONLY}`,
    );
  }
  if (isDeniedFunction(name)) throw new SqlRejection(`The function ${name}() is not allowed in analysts' SQL`);
  if (FORMAT_FUNCTIONS.has(name.toLowerCase())) checkFormat(name, fn);
}

/** Functions whose first argument is a format string that can ask for fields of any width. */
const FORMAT_FUNCTIONS = new Set(['printf', 'format']);
/** Widest field or precision a format string may ask for. */
export const MAX_FORMAT_WIDTH = 999;

/**
 * printf('%1000000000d', 1) or format('{:>1000000000}', 'x') build a value as wide as the format
 * says; the format string must therefore be a constant, and its widths and precisions small.
 */
function checkFormat(name: string, fn: Record<string, unknown>): void {
  const first = (fn.children as Record<string, unknown>[] | undefined)?.[0];
  const value = first?.class === 'CONSTANT' ? (first.value as { value?: unknown } | undefined)?.value : undefined;
  if (typeof value !== 'string') throw new SqlRejection(`${name}() takes a constant format string in analysts' SQL`);
  const widths = value.match(/\d+/g) ?? [];
  if (widths.some((w) => Number(w) > MAX_FORMAT_WIDTH)) {
    throw new SqlRejection(`${name}() format fields may be at most ${MAX_FORMAT_WIDTH} wide in analysts' SQL`);
  }
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function capitalise(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
