import { GraphQLError } from 'graphql';
import { ErrorCode } from '@lgr/schema';
import { SandboxCancelledError } from '../sandbox/sandbox';
import type { ErrorFields } from './backend';
import { CatalogQueryError } from './catalog/database';
import { ProtocolError } from './framing';
import { EncodingError } from './types';

/** An error the session reports to the client with its SQLSTATE. */
export class PgError extends Error {
  constructor(
    message: string,
    readonly sqlState: string,
    readonly severity: 'ERROR' | 'FATAL' = 'ERROR',
  ) {
    super(message);
    this.name = 'PgError';
  }
}

/** SQLSTATEs of the platform's client error codes. */
const BY_CODE: Partial<Record<string, string>> = {
  [ErrorCode.UNAUTHENTICATED]: '28P01',
  [ErrorCode.FORBIDDEN]: '42501',
  [ErrorCode.TIMEOUT]: '57014',
  [ErrorCode.RESULT_TOO_LARGE]: '54000',
  [ErrorCode.SOURCE_UNAVAILABLE]: '57P03',
  [ErrorCode.BAD_USER_INPUT]: '22023',
  [ErrorCode.INVALID_PERIOD]: '22023',
  [ErrorCode.UNKNOWN_INDICATOR]: '22023',
  [ErrorCode.UNIT_NOT_FOUND]: '22023',
  [ErrorCode.RATE_LIMITED]: '53400',
};

/** The SQLSTATE of a refusal of the sandbox, by what its message says was refused. */
export function rejectionState(message: string): string {
  if (/could not be parsed|Parser Error|syntax error/i.test(message)) return '42601';
  if (/Unknown table|Table with name .* does not exist/i.test(message)) return '42P01';
  if (/Referenced column|column .* not found|Binder Error: .*column/i.test(message)) return '42703';
  if (/Function with name|No function matches/i.test(message)) return '42883';
  if (/Conversion Error|Could not convert|invalid input/i.test(message)) return '22P02';
  if (/Division by zero/i.test(message)) return '22012';
  if (/Out of Memory/i.test(message)) return '53200';
  if (
    /not allowed|may not|must be written|at most|needs the argument|has no argument|given twice|must be one of|must be a date/i.test(
      message,
    )
  )
    return '42501';
  return '42000';
}

/** What the client is told about a failure; unexpected errors keep their message out of the answer. */
export function errorFields(error: unknown): ErrorFields & { internal: boolean } {
  if (error instanceof PgError)
    return { severity: error.severity, code: error.sqlState, message: error.message, internal: false };
  if (error instanceof SandboxCancelledError)
    return { severity: 'ERROR', code: '57014', message: error.message, internal: false };
  if (error instanceof CatalogQueryError)
    return { severity: 'ERROR', code: error.sqlState, message: error.message, internal: false };
  if (error instanceof EncodingError)
    return { severity: 'ERROR', code: '22P02', message: error.message, internal: false };
  if (error instanceof ProtocolError)
    return { severity: 'FATAL', code: '08P01', message: error.message, internal: false };
  if (error instanceof GraphQLError) {
    const code = String(error.extensions?.code ?? '');
    if (code === ErrorCode.SQL_REJECTED)
      return { severity: 'ERROR', code: rejectionState(error.message), message: error.message, internal: false };
    const state = BY_CODE[code];
    if (state) return { severity: 'ERROR', code: state, message: error.message, internal: false };
  }
  return { severity: 'ERROR', code: 'XX000', message: 'Internal error', internal: true };
}
