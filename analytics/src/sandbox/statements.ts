/**
 * A light lexer for analysts' SQL that splits a script into statements and names the keyword each
 * starts with, so that a refusal can say what was refused ("COPY statements are not allowed"). It
 * only ever adds refusals: whether a statement is acceptable is decided by DuckDB's own parser.
 */

/** The first keyword of each non-empty statement in `sql`, upper-cased (`SELECT`, `COPY`, `(` ...). */
export function statementKeywords(sql: string): string[] {
  const keywords: string[] = [];
  let current: string | null = null;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (c === ';') {
      if (current !== null) keywords.push(current);
      current = null;
      i += 1;
      continue;
    }
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (current === null) current = leadingWord(sql, i);
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c);
    } else if (c === '$') {
      i = skipDollarQuoted(sql, i);
    } else {
      i += 1;
    }
  }
  if (current !== null) keywords.push(current);
  return keywords;
}

function leadingWord(sql: string, at: number): string {
  const m = /^[A-Za-z_]+/.exec(sql.slice(at, at + 40));
  return m ? m[0].toUpperCase() : sql[at]!;
}

function skipBlockComment(sql: string, at: number): number {
  // DuckDB, like PostgreSQL, nests block comments.
  let depth = 0;
  let i = at;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function skipQuoted(sql: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < sql.length) {
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

function skipDollarQuoted(sql: string, at: number): number {
  const m = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(at));
  if (!m) return at + 1;
  const close = sql.indexOf(m[0], at + m[0].length);
  return close < 0 ? sql.length : close + m[0].length;
}

const STATEMENT_NAMES: Record<string, string> = {
  ALTER: 'ALTER',
  ANALYZE: 'ANALYZE',
  ATTACH: 'ATTACH',
  BEGIN: 'transaction',
  CALL: 'CALL',
  CHECKPOINT: 'CHECKPOINT',
  COMMENT: 'COMMENT',
  COMMIT: 'transaction',
  COPY: 'COPY',
  CREATE: 'CREATE',
  DEALLOCATE: 'DEALLOCATE',
  DELETE: 'DELETE',
  DETACH: 'DETACH',
  DROP: 'DROP',
  END: 'transaction',
  EXECUTE: 'EXECUTE',
  EXPLAIN: 'EXPLAIN',
  EXPORT: 'EXPORT',
  FORCE: 'INSTALL',
  IMPORT: 'IMPORT',
  INSERT: 'INSERT',
  INSTALL: 'INSTALL',
  LOAD: 'LOAD',
  MERGE: 'MERGE',
  PIVOT: 'PIVOT',
  PRAGMA: 'PRAGMA',
  PREPARE: 'PREPARE',
  RESET: 'RESET',
  ROLLBACK: 'transaction',
  SET: 'SET',
  TRUNCATE: 'TRUNCATE',
  UNPIVOT: 'UNPIVOT',
  UPDATE: 'UPDATE',
  USE: 'USE',
  VACUUM: 'VACUUM',
};

/** The kind of statement a leading keyword starts, when it is one that is never accepted. */
export function refusedStatementKind(keyword: string): string | undefined {
  return STATEMENT_NAMES[keyword];
}
