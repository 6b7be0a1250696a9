/**
 * Bounded replacements for the functions that build a value larger than their arguments.
 *
 * DuckDB's `memory_limit` governs its buffer manager (hash tables, sorts, stored data), not the
 * vectors an expression produces nor the constants the optimiser folds while planning:
 * `SELECT length(repeat('x', 1000000000))` or `SELECT len(range(20000000))` grew the process by
 * gigabytes, and while planning DuckDB does not even look at an interrupt, so the time limit did
 * not stop them either. The sandbox therefore defines, in its own `main` schema, macros with the
 * names of those functions: a macro found there is taken before the built-in, and it checks the size
 * of the value it would build before calling the built-in (`system.main.<name>`), failing with a
 * clear error instead. Because the check is a CASE around the call, a value over the limit is never
 * built, not even by constant folding.
 *
 * Every call's result is then at most {@link MAX_VALUE_CHARS} characters (strings, and lists
 * measured as their text) or {@link MAX_LIST_ELEMENTS} elements (generated lists), so one vector of
 * 2,048 rows holds at most a few hundred megabytes. Lambdas, which could nest generated lists inside
 * each other, are refused by the parser check (`guard.ts`), as are format strings with wide fields.
 */

/** Longest string (or list, as text) a bounded function may build. */
export const MAX_VALUE_CHARS = 100_000;
/** Most elements a generated list (`range`, `generate_series`, `list_resize`) may have. */
export const MAX_LIST_ELEMENTS = 10_000;

/** What a bounded function's error says, so that analysts can see which call was refused and why. */
function refusal(name: string, what: string): string {
  return `error('${name}() would build ${what}; the SQL sandbox allows at most ${MAX_VALUE_CHARS.toLocaleString('en-US')} characters or ${MAX_LIST_ELEMENTS.toLocaleString('en-US')} list elements per value')`;
}

/** Size of any value as the checks measure it: its text length (strings exactly; lists and blobs by their text). */
const size = (x: string): string => `coalesce(length(CAST(${x} AS VARCHAR)), 0)`;

interface Overload {
  readonly params: readonly string[];
  /** SQL that is true when the call would build a value over the limit. */
  readonly tooLarge: string;
  readonly what: string;
  /** The call when it is not simply the built-in with the same arguments. */
  readonly call?: string;
}

function overloads(
  count: number,
  params: (n: number) => string[],
  tooLarge: (ps: string[]) => string,
  what: string,
): Overload[] {
  return Array.from({ length: count }, (_, i) => {
    const ps = params(i);
    return { params: ps, tooLarge: tooLarge(ps), what };
  });
}

const countOver = (n: string, limit: number): string => `TRY_CAST(${n} AS DOUBLE) > ${limit}`;
const listSpan = (from: string, to: string, step: string): string =>
  `abs((TRY_CAST(${to} AS DOUBLE) - TRY_CAST(${from} AS DOUBLE)) / nullif(TRY_CAST(${step} AS DOUBLE), 0)) > ${MAX_LIST_ELEMENTS}`;
// A range of timestamps cannot be sized by the checks, so only numeric ranges are allowed (the
// periods view is the calendar).
const notNumber = (ps: readonly string[]): string =>
  `(${ps.map((p) => `(${p} IS NOT NULL AND TRY_CAST(${p} AS DOUBLE) IS NULL)`).join(' OR ')})`;
const RANGE_WHAT = 'a list this long, or of other than numbers';
const sumOfSizes = (ps: readonly string[]): string => `(${ps.map(size).join(' + ')}) > ${MAX_VALUE_CHARS}`;
const args = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

const REGEXP_OPTIONS = ['g', 'i', 'c', 's', 'gi', 'ig', 'gs', 'sg', 'gc', 'cg', 'gis', 'gsi'];

/** The bounded functions: name and overloads (DuckDB picks the overload by the number of arguments). */
const BOUNDED: Readonly<Record<string, readonly Overload[]>> = {
  repeat: [
    {
      params: ['s', 'n'],
      tooLarge: `${size('s')} * greatest(TRY_CAST(n AS DOUBLE), 0) > ${MAX_VALUE_CHARS}`,
      what: 'a value this long',
    },
  ],
  lpad: [{ params: ['s', 'n', 'p'], tooLarge: countOver('n', MAX_VALUE_CHARS), what: 'a string this long' }],
  rpad: [{ params: ['s', 'n', 'p'], tooLarge: countOver('n', MAX_VALUE_CHARS), what: 'a string this long' }],
  bitstring: [{ params: ['s', 'n'], tooLarge: countOver('n', MAX_VALUE_CHARS), what: 'a bit string this long' }],
  bar: [
    { params: ['x', 'lo', 'hi'], tooLarge: 'FALSE', what: '' },
    { params: ['x', 'lo', 'hi', 'w'], tooLarge: countOver('w', MAX_VALUE_CHARS), what: 'a bar this wide' },
  ],
  ...Object.fromEntries(
    ['range', 'generate_series'].map((name) => [
      name,
      [
        {
          params: ['b'],
          tooLarge: `${notNumber(['b'])} OR ${countOver('abs(TRY_CAST(b AS DOUBLE))', MAX_LIST_ELEMENTS)}`,
          what: RANGE_WHAT,
        },
        { params: ['a', 'b'], tooLarge: `${notNumber(['a', 'b'])} OR ${listSpan('a', 'b', '1')}`, what: RANGE_WHAT },
        {
          params: ['a', 'b', 'step'],
          tooLarge: `${notNumber(['a', 'b', 'step'])} OR ${listSpan('a', 'b', 'step')}`,
          what: RANGE_WHAT,
        },
      ],
    ]),
  ),
  ...Object.fromEntries(
    ['list_resize', 'array_resize'].map((name) => [
      name,
      [
        { params: ['l', 'n'], tooLarge: countOver('n', MAX_LIST_ELEMENTS), what: 'a list this long' },
        { params: ['l', 'n', 'v'], tooLarge: countOver('n', MAX_LIST_ELEMENTS), what: 'a list this long' },
      ],
    ]),
  ),
  '||': [{ params: ['a', 'b'], tooLarge: sumOfSizes(['a', 'b']), what: 'a value this long' }],
  ...Object.fromEntries(
    ['list_concat', 'list_cat', 'array_concat', 'array_cat'].map((name) => [
      name,
      overloads(1, () => ['a', 'b'], sumOfSizes, 'a list this long'),
    ]),
  ),
  concat: overloads(16, (i) => args('a', i + 1), sumOfSizes, 'a string this long'),
  concat_ws: overloads(
    16,
    (i) => ['sep', ...args('a', i + 1)],
    ([sep, ...ps]) => `(${[...ps.map(size), `${size(sep!)} * ${ps.length}`].join(' + ')}) > ${MAX_VALUE_CHARS}`,
    'a string this long',
  ),
  replace: [
    {
      params: ['s', 'f', 'r'],
      tooLarge: `${size('s')} + (${size('s')} / greatest(${size('f')}, 1)) * greatest(${size('r')} - ${size('f')}, 0) > ${MAX_VALUE_CHARS}`,
      what: 'a string this long',
    },
  ],
  regexp_replace: [
    {
      params: ['s', 'p', 'r'],
      tooLarge: `${size('s')} * (${size('r')} + 1) > ${MAX_VALUE_CHARS}`,
      what: 'a string this long',
    },
    {
      params: ['s', 'p', 'r', 'o'],
      tooLarge: `${size('s')} * (${size('r')} + 1) > ${MAX_VALUE_CHARS}`,
      what: 'a string this long',
      // DuckDB wants the options as a constant, so each accepted value gets its own call.
      call: `CASE o ${REGEXP_OPTIONS.map((o) => `WHEN '${o}' THEN system.main.regexp_replace(s, p, r, '${o}')`).join(' ')} ELSE error('regexp_replace() options may be one of ${REGEXP_OPTIONS.join(', ')} in the SQL sandbox') END`,
    },
  ],
  ...Object.fromEntries(
    ['array_to_string'].map((name) => [
      name,
      [
        {
          params: ['l', 'sep'],
          tooLarge: `${size('l')} + len(l) * ${size('sep')} > ${MAX_VALUE_CHARS}`,
          what: 'a string this long',
        },
      ],
    ]),
  ),
};

/** Names of the functions the sandbox replaces with bounded macros. */
export const BOUNDED_FUNCTIONS: readonly string[] = Object.keys(BOUNDED);

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The `CREATE MACRO` statements that install the bounded functions in the sandbox's `main` schema. */
export function boundedFunctionStatements(): string[] {
  return BOUNDED_FUNCTIONS.map((name) => {
    const bodies = BOUNDED[name]!.map((o) => {
      const call = o.call ?? `system.main.${quoteName(name)}(${o.params.join(', ')})`;
      if (o.tooLarge === 'FALSE') return `(${o.params.join(', ')}) AS ${call}`;
      return `(${o.params.join(', ')}) AS CASE WHEN ${o.tooLarge} THEN ${refusal(name, o.what)} ELSE ${call} END`;
    });
    return `CREATE OR REPLACE MACRO main.${quoteName(name)}${bodies.join(', ')}`;
  });
}
