import type { ErrorRequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import { clientError, ErrorCode, HTTP_STATUS } from '@lgr/schema';
import type { Logger } from './logger';

/**
 * Sends a client error as a GraphQL-shaped JSON body (`{ errors: [{ message, extensions }] }`). The
 * status is `status`, else the error's `extensions.http.status`, else the one registered for its
 * code; the `http` extension itself is not sent.
 */
export function sendError(res: Response, error: GraphQLError, status?: number): void {
  const code = (error.extensions?.code as ErrorCode | undefined) ?? ErrorCode.INTERNAL_SERVER_ERROR;
  const { http, ...extensions } = error.extensions ?? {};
  res.status(status ?? (http as { status?: number } | undefined)?.status ?? HTTP_STATUS[code] ?? 500);
  res.json({ errors: [{ message: error.message, extensions }] });
}

/** Client errors keep their code and message; anything else is logged and answered as a generic 500. */
export function respondWithError(res: Response, error: unknown, logger: Logger): void {
  if (
    error instanceof GraphQLError &&
    error.extensions?.code &&
    error.extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR
  ) {
    if (!res.headersSent) sendError(res, error);
    return;
  }
  logger.error({ err: error, path: res.req?.path }, 'request failed');
  if (!res.headersSent) sendError(res, clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
}

/**
 * The last Express middleware of a server: a body over `maxBodyBytes` is REQUEST_TOO_LARGE, other
 * 4xx errors of Express and its body parser are BAD_USER_INPUT with their status, client errors keep
 * theirs, and anything else is logged and answered as a generic 500.
 */
export function httpErrorHandler(logger: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const status = (error as { status?: number }).status ?? 500;
    if ((error as { type?: string }).type === 'entity.too.large') {
      sendError(
        res,
        clientError(ErrorCode.REQUEST_TOO_LARGE, `Request body exceeds ${maxBodyBytes} bytes`, { limit: maxBodyBytes }),
        413,
      );
    } else if (error instanceof GraphQLError) {
      sendError(res, error);
    } else if (status < 500) {
      sendError(res, clientError(ErrorCode.BAD_USER_INPUT, (error as Error).message), status);
    } else {
      logger.error({ err: error }, 'request failed');
      sendError(res, clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'), 500);
    }
  };
}
