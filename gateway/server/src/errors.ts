import { GraphQLFormattedError } from 'graphql';
import { ErrorCode, HTTP_STATUS } from '@lgr/schema';
import type { Logger } from '@lgr/kit/logger';

/**
 * Keeps registered client errors (ours, the subgraphs' and Apollo's request errors) and turns
 * everything else into a generic internal error, logged in full here, so no stack trace, SQL text or
 * internal address reaches a client.
 */
export function maskGatewayError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  // `response` is Apollo Gateway's record of a subgraph's HTTP answer, internal URL included.
  const {
    stacktrace: _s,
    exception: _e,
    http: _h,
    response: _r,
    ...extensions
  } = (formatted.extensions ?? {}) as Record<string, unknown>;
  const code = extensions.code as string | undefined;
  const service = extensions.serviceName as string | undefined;
  if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR && code in HTTP_STATUS) return { ...formatted, extensions };
  // Apollo's own refusals of a request (a persisted-query hash that does not match its text, an
  // unsupported version) carry an HTTP 4xx status but no code; their messages are about the request.
  const status = ((error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status ??
    0) as number;
  if (!service && status >= 400 && status < 500) {
    return {
      message: formatted.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.BAD_REQUEST },
    };
  }
  log.error({ err: error }, 'unexpected error');
  return {
    message: 'Internal server error',
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(service ? { serviceName: service } : {}) },
  };
}
