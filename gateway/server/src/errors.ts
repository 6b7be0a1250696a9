import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { clientError, ErrorCode, HTTP_STATUS } from '@lgr/schema';
import type { Logger } from '@lgr/kit/logger';

/**
 * Keeps registered client errors (ours, the subgraphs' and Apollo's request errors) and turns
 * everything else into a generic internal error, logged in full here, so no stack trace, SQL text or
 * internal address reaches a client.
 */
export function maskGatewayError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  // `response` is Apollo Gateway's record of a subgraph's HTTP answer, internal URL included.
  const { stacktrace: _s, exception: _e, http: _h, response: _r, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  const code = extensions.code as string | undefined;
  const service = extensions.serviceName as string | undefined;
  if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in HTTP_STATUS) return { ...formatted, extensions };
  // Apollo's own refusals of a request (a persisted-query hash that does not match its text, an
  // unsupported version) carry an HTTP 4xx status but no code; their messages are about the request.
  const status = ((error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status ?? 0) as number;
  if (!service && status >= 400 && status < 500) {
    return { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { code: ErrorCode.BAD_REQUEST } };
  }
  log.error({ err: error }, 'unexpected error');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(service ? { serviceName: service } : {}) } };
}

function sendGraphQLError(res: Response, error: GraphQLError, status?: number): void {
  const code = (error.extensions?.code as ErrorCode | undefined) ?? ErrorCode.INTERNAL_SERVER_ERROR;
  const { http: _http, ...extensions } = error.extensions ?? {};
  res.status(status ?? (error.extensions?.http as { status?: number } | undefined)?.status ?? HTTP_STATUS[code] ?? 500);
  res.json({ errors: [{ message: error.message, extensions }] });
}

/**
 * The last Express handler: errors raised outside GraphQL execution (a body too large, a refused
 * token, the rate limit, a proxy failure) answer as GraphQL errors with their registered code.
 */
export function httpErrorHandler(maxBodyBytes: number, log: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number; type?: string }).status ?? 500;
    if ((error as { type?: string }).type === 'entity.too.large') {
      return sendGraphQLError(res, clientError(ErrorCode.REQUEST_TOO_LARGE, `Request body exceeds ${maxBodyBytes} bytes`, { limit: maxBodyBytes }), 413);
    }
    if (error instanceof GraphQLError) return sendGraphQLError(res, error);
    if (status < 500) return sendGraphQLError(res, clientError(ErrorCode.BAD_USER_INPUT, (error as Error).message), status);
    log.error({ err: error }, 'request failed');
    sendGraphQLError(res, clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'), 500);
  };
}
