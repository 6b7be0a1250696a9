import { GraphQLError } from 'graphql';

/**
 * Every `extensions.code` a client can see, in one place (the gateway, the subgraphs and the CLI all
 * use these). Codes say what kind of problem it is; messages say what was expected and what arrived.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  INVALID_PERIOD: 'INVALID_PERIOD',
  UNKNOWN_INDICATOR: 'UNKNOWN_INDICATOR',
  UNIT_NOT_FOUND: 'UNIT_NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_ROOT_FIELDS: 'TOO_MANY_ROOT_FIELDS',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_REQUIRED: 'PERSISTED_QUERY_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  TIMEOUT: 'TIMEOUT',
  SQL_REJECTED: 'SQL_REJECTED',
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  SOURCE_UNAVAILABLE: 'SOURCE_UNAVAILABLE',
  /** An ingest run's staged rows are not there (never staged, committed or discarded already, expired). */
  RUN_NOT_FOUND: 'RUN_NOT_FOUND',
  /** An ingest run cannot go on: the unit catalogue its rows were checked against has changed. */
  RUN_CONFLICT: 'RUN_CONFLICT',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Apollo Server's own request errors, which reach clients with these codes unchanged.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status the gateway and plain HTTP endpoints answer with for each code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  INVALID_PERIOD: 400,
  UNKNOWN_INDICATOR: 400,
  UNIT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_COMPLEX: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_ROOT_FIELDS: 400,
  BATCH_TOO_LARGE: 400,
  REQUEST_TOO_LARGE: 413,
  PERSISTED_QUERY_NOT_FOUND: 200,
  PERSISTED_QUERY_REQUIRED: 400,
  RATE_LIMITED: 429,
  TIMEOUT: 504,
  SQL_REJECTED: 400,
  RESULT_TOO_LARGE: 400,
  SOURCE_UNAVAILABLE: 503,
  RUN_NOT_FOUND: 404,
  RUN_CONFLICT: 409,
  INTERNAL_SERVER_ERROR: 500,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  PERSISTED_QUERY_NOT_SUPPORTED: 400,
  OPERATION_RESOLUTION_FAILURE: 400,
};

/** A client-facing error with a registered code and optional details (the argument, row or field). */
export function clientError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}
