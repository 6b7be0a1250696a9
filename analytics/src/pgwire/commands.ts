/**
 * Statements clients send that concern the session rather than data: SET, RESET, SHOW, transaction
 * control, DISCARD and DEALLOCATE. They are answered by the session itself (the views are read-only,
 * so a transaction block changes nothing), never by the sandbox.
 */
export type SessionCommand =
  | { kind: 'set'; name: string; value: string; tag: string }
  | { kind: 'reset'; name: string | null }
  | { kind: 'show'; name: string }
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'noop'; tag: string }
  | { kind: 'deallocate'; name: string | null };

/** The session command `sql` is, or undefined when it is a query for the sandbox or the catalogue. */
export function sessionCommand(sql: string): SessionCommand | undefined {
  const text = stripComments(sql).trim().replace(/;\s*$/, '').trim();
  const words = text.split(/\s+/);
  const first = words[0]?.toUpperCase();
  switch (first) {
    case 'SET':
      return setCommand(text);
    case 'RESET': {
      const name = words[1]?.toLowerCase();
      return { kind: 'reset', name: !name || name === 'all' ? null : unquote(name) };
    }
    case 'SHOW': {
      const name = words.slice(1).join(' ').toLowerCase();
      if (name === 'transaction isolation level') return { kind: 'show', name: 'transaction_isolation' };
      return { kind: 'show', name: unquote(name) };
    }
    case 'BEGIN':
    case 'START':
      return { kind: 'begin' };
    case 'COMMIT':
    case 'END':
      return { kind: 'commit' };
    case 'ROLLBACK':
    case 'ABORT':
      return /^ROLLBACK\s+TO\b/i.test(text) ? { kind: 'noop', tag: 'ROLLBACK' } : { kind: 'rollback' };
    case 'SAVEPOINT':
      return { kind: 'noop', tag: 'SAVEPOINT' };
    case 'RELEASE':
      return { kind: 'noop', tag: 'RELEASE' };
    case 'DISCARD':
      return { kind: 'noop', tag: `DISCARD ${(words[1] ?? 'ALL').toUpperCase()}` };
    case 'DEALLOCATE': {
      const rest = words.slice(1).filter((w) => w.toUpperCase() !== 'PREPARE');
      const name = rest[0];
      return { kind: 'deallocate', name: !name || name.toUpperCase() === 'ALL' ? null : unquote(name) };
    }
    default:
      return undefined;
  }
}

function setCommand(text: string): SessionCommand {
  // SET [SESSION | LOCAL] name { TO | = } value; SET TIME ZONE value; SET SESSION CHARACTERISTICS ...; SET NAMES value
  const body = text.replace(/^SET\s+(SESSION\s+|LOCAL\s+)?/i, '');
  const timeZone = /^TIME\s+ZONE\s+(.+)$/i.exec(body);
  if (timeZone) return { kind: 'set', name: 'timezone', value: unquote(timeZone[1]!), tag: 'SET' };
  if (/^(CHARACTERISTICS|TRANSACTION)\b/i.test(body)) return { kind: 'noop', tag: 'SET' };
  const names = /^NAMES\s+(.+)$/i.exec(body);
  if (names) return { kind: 'set', name: 'client_encoding', value: unquote(names[1]!), tag: 'SET' };
  const m = /^("[^"]+"|[A-Za-z_][\w.]*)\s*(?:=|\bTO\b)\s*([\s\S]*)$/i.exec(body);
  if (!m) return { kind: 'noop', tag: 'SET' };
  const value = m[2]!
    .split(',')
    .map((v) => unquote(v.trim()))
    .join(', ');
  return { kind: 'set', name: unquote(m[1]!).toLowerCase(), value: /^default$/i.test(value) ? '' : value, tag: 'SET' };
}

function unquote(s: string): string {
  const t = s.trim();
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/s.test(t)) return t.slice(1, -1).replace(/""/g, '"');
  const dollar = /^\$([A-Za-z_]\w*)?\$([\s\S]*)\$\1\$$/.exec(t);
  if (dollar) return dollar[2]!;
  return t;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/**
 * Splits a simple-protocol query string into statements at semicolons outside literals, quoted
 * identifiers and comments (psql and drivers send `SET ...; SELECT ...` in one message).
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c, c === "'" && /[Ee]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? ''));
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.test(sql.slice(i))) {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? sql.length : end + tag.length;
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      start = i + 1;
      i += 1;
    } else {
      i += 1;
    }
  }
  out.push(sql.slice(start));
  return out.filter(
    (s) =>
      s
        .replace(/--[^\n]*/g, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .trim() !== '',
  );
}

function skipQuoted(sql: string, at: number, quote: string, backslashes: boolean): number {
  let i = at + 1;
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

/** The CommandComplete tag of a query that returned rows. */
export function selectTag(rowCount: number): string {
  return `SELECT ${rowCount}`;
}
