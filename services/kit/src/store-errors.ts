import { StartupError } from './startup-error';

/** Error codes and messages of the file system and SQLite meaning "this store may not be written". */
const READ_ONLY_CODES = new Set([
  'EROFS',
  'EACCES',
  'EPERM',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_PERM',
  'SQLITE_AUTH',
]);
// libsql reports a file it cannot create as "Unable to open connection to local database <file>: 14".
const READ_ONLY_MESSAGE = /read-?only|permission denied|unable to open|operation not permitted/i;

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, rawCode } = current as { code?: unknown; rawCode?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (typeof rawCode === 'string') codes.push(rawCode);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Whether an error says the store (or its folder) may not be written. */
export function isReadOnlyError(error: unknown): boolean {
  if (errorCodes(error).some((code) => READ_ONLY_CODES.has(code) || code.startsWith('SQLITE_READONLY'))) return true;
  return READ_ONLY_MESSAGE.test(messageOf(error));
}

/** An error's message; errors of native modules may come from another realm, so no `instanceof Error`. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Turns an error met while opening or migrating a store into one an operator can act on: a store that
 * may not be written becomes a {@link StartupError} naming the file or database; others pass through.
 */
export function explainStoreError(error: unknown, service: string, location: string): unknown {
  if (error instanceof StartupError || !isReadOnlyError(error)) return error;
  const reason = messageOf(error).split('\n')[0];
  return new StartupError(
    `The ${service} store ${location} cannot be written (${reason}). The service needs to create and write ` +
      'this file and its folder: give it write access, or set DATA_DIR to a writable folder.',
    { cause: error },
  );
}
