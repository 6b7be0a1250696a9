import { ErrorCode } from '@lgr/schema';
import type { GqlResponse, RawResponse } from './harness';

/** Every code a client may see (the registry in schema/src/errors.ts). */
export const REGISTERED_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export type GqlError = NonNullable<GqlResponse<unknown>['errors']>[number];

/** The errors of an answer with the given code, optionally only those at a path starting with `pathStart`. */
export function errorsWithCode(answer: { errors?: GqlError[] }, code: string, pathStart?: string): GqlError[] {
  return (answer.errors ?? []).filter(
    (e) => e.extensions?.code === code && (pathStart === undefined || e.path?.[0] === pathStart),
  );
}

/**
 * Checks that a response body is a well-formed GraphQL error answer: JSON with a non-empty `errors`
 * array whose every entry has a string message and a registered `extensions.code`, and nothing that
 * looks like a stack trace, SQL text or an internal address. Returns the problems found (empty when
 * it is well formed) so that a fuzz test can report the input that broke it.
 */
export function errorAnswerProblems(res: RawResponse, options: { echoesSql?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (res.status >= 500 && res.status !== 503 && res.status !== 504) problems.push(`HTTP ${res.status}`);
  problems.push(...leakProblems(res.text, options));
  const body = res.json as { errors?: unknown } | undefined;
  if (!body || typeof body !== 'object') return [...problems, `not JSON: ${res.text.slice(0, 200)}`];
  if (!Array.isArray(body.errors) || body.errors.length === 0)
    return [...problems, `no errors array: ${res.text.slice(0, 200)}`];
  for (const error of body.errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
    if (typeof error.message !== 'string' || !error.message)
      problems.push(`error without a message: ${JSON.stringify(error).slice(0, 200)}`);
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !REGISTERED_CODES.has(code))
      problems.push(`unregistered code ${JSON.stringify(code)}: ${JSON.stringify(error).slice(0, 200)}`);
    if (code === ErrorCode.INTERNAL_SERVER_ERROR)
      problems.push(`internal error: ${JSON.stringify(error).slice(0, 200)}`);
  }
  return problems;
}

const LEAKS: [string, RegExp][] = [
  ['a stack trace', /\bat [\w.<>]+ \(|node:internal|\.js:\d+:\d+|"stacktrace"/],
  ['an internal address', /127\.0\.0\.1:\d+|localhost:\d+|ECONNREFUSED|ECONNRESET/],
  [
    'SQL text',
    /\b(insert into|update \S+ set|delete from|create table)\b|\bfrom [`"]?observation(_feed)?[`"]?\b|SQLITE_|libsql|mikro-?orm/i,
  ],
  ['a file path', /\/(work|home|tmp|usr)\/[\w./-]+/],
];

/**
 * What in a response body looks like a leak of internals: a stack trace, SQL text, an address, a path.
 * `echoesSql` is for answers to analysts' SQL, which may quote the caller's own query back.
 */
export function leakProblems(text: string, options: { echoesSql?: boolean } = {}): string[] {
  return LEAKS.filter(([what, re]) => !(options.echoesSql && what === 'SQL text') && re.test(text)).map(
    ([what]) => `leaks ${what}: ${text.slice(0, 300)}`,
  );
}

/** Replaces unit codes and unit version ids in a message, to compare denials about different units. */
export function withoutUnits(message: string): string {
  return message.replace(/\d{2,5}@\d{4}-\d{2}-\d{2}/g, '<unit-id>').replace(/\b\d{2,5}\b/g, '<unit>');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a value other than undefined or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
