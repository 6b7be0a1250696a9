import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { clientError, ErrorCode, HTTP_STATUS } from '@lgr/schema';
import { IDENTITY_HEADER } from '@lgr/kit/identity';
import type { Logger } from '@lgr/kit/logger';
import type { SubgraphName } from '@lgr/kit/services';
import { injectTraceContext } from '@lgr/kit/tracing';
import type { GatewayContext } from './context';
import { createSubgraphFetcher } from './subgraph-fetcher';

class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    private readonly log: Logger,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  /**
   * A subgraph that cannot be reached (refused, reset, timed out) becomes a SOURCE_UNAVAILABLE error
   * naming it; the gateway still returns what the other subgraphs answered. A subgraph that refuses a
   * request with an HTTP error status (a variable it cannot coerce, say) has its own client error
   * passed on; Apollo's wrapping of it carries the subgraph's internal URL, which never leaves here.
   */
  override didEncounterError(error: Error, _request: unknown, response?: unknown): void {
    const refused =
      error instanceof GraphQLError
        ? (error.extensions?.response as
            | { status?: number; body?: { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } }
            | undefined)
        : undefined;
    if (refused) {
      const first = refused.body?.errors?.[0];
      const code = first?.extensions?.code;
      if (
        typeof code === 'string' &&
        code !== ErrorCode.INTERNAL_SERVER_ERROR &&
        code in HTTP_STATUS &&
        typeof first?.message === 'string' &&
        refused.status !== 401
      ) {
        throw clientError(code as ErrorCode, first.message, { serviceName: this.serviceName });
      }
      // Anything else (the subgraph refusing the gateway's own identity, a 5xx) is the platform's fault.
      this.log.error(
        { service: this.serviceName, status: refused.status, body: refused.body },
        'subgraph refused a request',
      );
      throw clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', { serviceName: this.serviceName });
    }
    if (response === undefined && !(error instanceof GraphQLError)) {
      const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError';
      throw clientError(
        timedOut ? ErrorCode.TIMEOUT : ErrorCode.SOURCE_UNAVAILABLE,
        timedOut
          ? `The ${this.serviceName} service did not answer in time; other parts of the answer are complete`
          : `The ${this.serviceName} service is unavailable; other parts of the answer are complete`,
        { serviceName: this.serviceName },
      );
    }
    throw error;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.forwarded) request.http!.headers.set(IDENTITY_HEADER, context.forwarded);
    if (context.requestId) request.http!.headers.set('x-request-id', context.requestId);
    // Apollo's fetch span is the current one here: the subgraph's spans become its children.
    injectTraceContext(request.http!.headers);
  }
}

/** Where the gateway sends a subgraph's operations: its configured URL, else the supergraph's routing URL. */
function subgraphGraphqlUrl(urls: Record<SubgraphName, string>, name: string, composedUrl: string | undefined): string {
  const base = urls[name as SubgraphName];
  if (!base) return composedUrl!;
  return `${base.replace(/\/$/, '')}/graphql`;
}

/**
 * Apollo Gateway over the supergraph, fetching each subgraph at its configured URL with the caller's
 * signed identity and a timeout, over kept-alive connections.
 */
export function createSubgraphGateway(
  supergraphSdl: string,
  urls: Record<SubgraphName, string>,
  timeoutMs: number,
  log: Logger,
): ApolloGateway {
  // One fetcher, so that every subgraph's kept connections are shared by all requests.
  const fetcher = createSubgraphFetcher(timeoutMs);
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new IdentityForwardingDataSource(name, log, {
        url: subgraphGraphqlUrl(urls, name, url),
        fetcher,
      }),
  });
}
