import { ApolloGateway, GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { clientError, ErrorCode, HTTP_STATUS } from '@lgr/schema';
import { IDENTITY_HEADER } from '@lgr/kit/identity';
import type { Logger } from '@lgr/kit/logger';
import type { SubgraphName } from '@lgr/kit/services';
import { injectTraceContext } from '@lgr/kit/tracing';
import type { GatewayContext } from './context';
import { Inflight } from './inflight';
import { createSubgraphFetcher, SubgraphAnswer, SubgraphFetcher } from './subgraph-fetcher';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource<GatewayContext>['process']>>;

/**
 * Sends the gateway's operations to one subgraph with the caller's signed identity, and turns what
 * goes wrong into client errors that name the subgraph and never its internal URL.
 *
 * Identical queries in flight at the same time (same subgraph, same operation and variables, same
 * signed identity) share one request: the subgraph answers each caller by its identity, so callers
 * with the same identity get the same answer, and a dashboard's burst of equal questions costs the
 * subgraph one. Each caller parses the shared text into its own objects, because Apollo merges
 * answers into them. Mutations are never shared. The shared request carries the request id and the
 * trace context of the caller that started it.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly url: URL;

  constructor(
    private readonly serviceName: string,
    url: string,
    private readonly fetcher: SubgraphFetcher,
    private readonly inflight: Inflight<SubgraphAnswer>,
    private readonly log: Logger,
  ) {
    this.url = new URL(url);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    if (!request.query) throw new Error(`Expected an operation for the ${this.serviceName} service, got none`);
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });
    const headers = this.headers(options);
    const identity = context.forwarded ?? '';
    const answer = await (sharable(options)
      ? this.inflight.run(`${this.serviceName}\n${identity}\n${body}`, () => this.send(headers, body))
      : this.send(headers, body));
    return this.read(answer);
  }

  /** The request's own headers (Apollo may add some), the signed identity, request id and trace context. */
  private headers(options: GraphQLDataSourceProcessOptions<GatewayContext>): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of options.request.http?.headers ?? []) headers[name] = value;
    const context = options.context as Partial<GatewayContext>;
    if (context.forwarded) headers[IDENTITY_HEADER] = context.forwarded;
    if (context.requestId) headers['x-request-id'] = context.requestId;
    // Apollo's fetch span is the current one here: the subgraph's spans become its children.
    injectTraceContext(headers);
    return headers;
  }

  /**
   * A subgraph that cannot be reached (refused, reset, timed out) becomes a SOURCE_UNAVAILABLE or
   * TIMEOUT error naming it; the gateway still returns what the other subgraphs answered.
   */
  private async send(headers: Record<string, string>, body: string): Promise<SubgraphAnswer> {
    try {
      return await this.fetcher(this.url, headers, body);
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      throw clientError(
        timedOut ? ErrorCode.TIMEOUT : ErrorCode.SOURCE_UNAVAILABLE,
        timedOut
          ? `The ${this.serviceName} service did not answer in time; other parts of the answer are complete`
          : `The ${this.serviceName} service is unavailable; other parts of the answer are complete`,
        { serviceName: this.serviceName },
      );
    }
  }

  /**
   * The answer's data, errors and extensions. A subgraph that refuses a request with an HTTP error
   * status (a variable it cannot coerce, say) has its own client error passed on; anything else it
   * refuses (the gateway's own identity, a 5xx, an answer that is not JSON) is the platform's fault.
   */
  private read(answer: SubgraphAnswer): GatewayGraphQLResponse {
    const parsed = parseJson(answer);
    if (answer.status < 200 || answer.status >= 300) {
      const first = (parsed as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined)
        ?.errors?.[0];
      const code = first?.extensions?.code;
      if (
        typeof code === 'string' &&
        code !== ErrorCode.INTERNAL_SERVER_ERROR &&
        code in HTTP_STATUS &&
        typeof first?.message === 'string' &&
        answer.status !== 401
      ) {
        throw clientError(code as ErrorCode, first.message, { serviceName: this.serviceName });
      }
      this.log.error(
        { service: this.serviceName, status: answer.status, body: parsed ?? answer.body.slice(0, 2000) },
        'subgraph refused a request',
      );
      throw internalError(this.serviceName);
    }
    if (parsed === undefined || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.log.error(
        { service: this.serviceName, contentType: answer.contentType, body: answer.body.slice(0, 2000) },
        'subgraph answered something other than a JSON object',
      );
      throw internalError(this.serviceName);
    }
    return parsed as GatewayGraphQLResponse;
  }
}

/** Only queries of incoming operations are shared; a mutation runs once per caller. */
function sharable(options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean {
  // Health checks and schema loads carry no incoming request.
  if (!('incomingRequestContext' in options)) return false;
  const operation = options.document?.definitions.find((d) => d.kind === 'OperationDefinition');
  if (operation) return operation.operation === OperationTypeNode.QUERY;
  return /^\s*(query\b|\{)/.test(options.request.query ?? '');
}

/** The JSON body of a JSON answer; undefined when the answer is not JSON. */
function parseJson(answer: SubgraphAnswer): unknown {
  if (!/^application\/(graphql-response\+)?json/.test(answer.contentType)) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

function internalError(serviceName: string): GraphQLError {
  return clientError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', { serviceName });
}

/** Where the gateway sends a subgraph's operations: its configured URL, else the supergraph's routing URL. */
function subgraphGraphqlUrl(urls: Record<SubgraphName, string>, name: string, composedUrl: string | undefined): string {
  const base = urls[name as SubgraphName];
  if (base) return `${base.replace(/\/$/, '')}/graphql`;
  if (!composedUrl) throw new Error(`The supergraph names a subgraph "${name}" without a URL, and none is configured`);
  return composedUrl;
}

/**
 * Apollo Gateway over the supergraph, fetching each subgraph at its configured URL with the caller's
 * signed identity and a timeout, over kept-alive connections, identical queries in flight shared.
 */
export function createSubgraphGateway(
  supergraphSdl: string,
  urls: Record<SubgraphName, string>,
  timeoutMs: number,
  log: Logger,
): ApolloGateway {
  // One fetcher, so that every subgraph's kept connections are shared by all requests.
  const fetcher = createSubgraphFetcher(timeoutMs);
  const inflight = new Inflight<SubgraphAnswer>();
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new SubgraphDataSource(name, subgraphGraphqlUrl(urls, name, url), fetcher, inflight, log),
  });
}
