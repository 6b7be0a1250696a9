/**
 * Makes the catalogue queries of PostgreSQL clients (psql, JDBC, SQLAlchemy, BI tools) runnable by
 * the DuckDB database that holds our emulated `pg_catalog` and `information_schema`: schema-qualified
 * catalogue names lose their qualifier (our tables and macros shadow DuckDB's own), `OPERATOR(...)`
 * and `COLLATE` decorations go, and `'name'::regclass` becomes the relation's OID. Only text outside
 * string literals, quoted identifiers and comments is changed. This runs only on queries that are
 * answered from the catalogue database, which holds no figures.
 */

const PLACEHOLDER = /\uE000(\d+)\uE000/g;

/** The relation OIDs `'name'::regclass` may name; unknown names give 0 (no relation). */
export type RelationOids = (name: string) => number;

export function rewriteCatalogQuery(sql: string, relationOid: RelationOids): string {
  const literals: string[] = [];
  let text = hideLiterals(sql, literals);
  text = text
    .replace(/OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?([~!<>=*+\-/%@#&|^]+)\s*\)/gi, ' $1 ')
    .replace(/\s+COLLATE\s+(?:(?:pg_catalog|\uE000\d+\uE000)\s*\.\s*)?(?:\uE000\d+\uE000|default\b|C\b|POSIX\b)/gi, '')
    .replace(/\uE000(\d+)\uE000\s*::\s*(?:(?:pg_catalog|"pg_catalog")\s*\.\s*)?regclass\b/gi, (_, i: string) =>
      String(relationOid(unquote(literals[Number(i)]!))),
    )
    .replace(/\uE000(\d+)\uE000\s*\.\s*/g, (whole, i: string) => {
      const quoted = literals[Number(i)];
      if (quoted === '"pg_catalog"') return '';
      if (quoted === '"information_schema"') return 'lgr_information_schema.';
      return whole;
    })
    .replace(/\bpg_catalog\s*\.\s*/gi, '')
    .replace(/\binformation_schema\s*\.\s*/gi, 'lgr_information_schema.');
  return text.replace(PLACEHOLDER, (_, i: string) => literals[Number(i)]!);
}

/** The relation name of a `'...'` literal, without quotes and without a schema. */
function unquote(literal: string): string {
  const inner = literal
    .replace(/^[Ee]?'/, '')
    .replace(/'$/, '')
    .replace(/''/g, "'");
  const last = inner.split('.').pop() ?? inner;
  return last.replace(/^"|"$/g, '');
}

/** Replaces string literals, quoted identifiers and comments by numbered placeholders. */
function hideLiterals(sql: string, out: string[]): string {
  let result = '';
  let i = 0;
  const keep = (end: number): void => {
    out.push(sql.slice(i, end));
    result += `\uE000${out.length - 1}\uE000`;
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if ((c === 'E' || c === 'e') && sql[i + 1] === "'" && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      keep(endOfQuoted(sql, i + 1, "'", true));
    } else if (c === "'" || c === '"') {
      keep(endOfQuoted(sql, i, c, false));
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      keep(end < 0 ? sql.length : end);
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      keep(end < 0 ? sql.length : end + 2);
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.test(sql.slice(i))) {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      keep(end < 0 ? sql.length : end + tag.length);
    } else {
      result += c;
      i += 1;
    }
  }
  return result;
}

function endOfQuoted(sql: string, start: number, quote: string, backslashes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashes && sql[i] === '\\') {
      i += 2;
      continue;
    }
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}
