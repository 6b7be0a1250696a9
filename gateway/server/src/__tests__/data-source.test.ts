import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import { createLogger } from '@lgr/kit/logger';
import type { GatewayContext } from '../context';
import { SubgraphDataSource } from '../data-source';
import { Inflight } from '../inflight';
import { createSubgraphFetcher, SubgraphAnswer } from '../subgraph-fetcher';

/** A subgraph stand-in that answers each request after 150 ms, so that requests sent together overlap. */
let server: Server;
let url: string;
const received: { identity: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ identity: String(req.headers['x-lgr-identity']), body });
      const status = req.url === '/refuses' ? 400 : 200;
      const answer =
        status === 400
          ? { errors: [{ message: 'Variable "$code" got invalid value', extensions: { code: 'BAD_USER_INPUT' } }] }
          : { data: { unit: { name: 'Hải Phòng', caller: req.headers['x-lgr-identity'] } } };
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      }, 150);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => (received.length = 0));

const source = (path = '/graphql') =>
  new SubgraphDataSource(
    'reference',
    `${url}${path}`,
    createSubgraphFetcher(5000),
    new Inflight<SubgraphAnswer>(),
    createLogger('test', 'silent'),
  );

/** What Apollo Gateway passes for one fetch of an incoming operation. */
function fetchOf(query: string, forwarded: string, requestId = 'r1'): GraphQLDataSourceProcessOptions<GatewayContext> {
  const context: GatewayContext = { identity: { sub: 'x', role: 'admin', units: [] }, requestId, forwarded };
  return {
    kind: 'incoming operation',
    request: { query, variables: { code: '31' } },
    incomingRequestContext: { context } as never,
    context,
    document: parse(query),
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

const QUERY = 'query($code: String!) { unit(code: $code) { name } }';

test('equal queries in flight for one identity share a request; each caller gets its own objects', async () => {
  const dataSource = source();
  const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => dataSource.process(fetchOf(QUERY, 'alice', `r${i}`))));
  expect(received).toHaveLength(1);
  expect(answers.map((a) => a.data)).toEqual(Array(5).fill({ unit: { name: 'Hải Phòng', caller: 'alice' } }));
  answers[0]!.data!.unit.name = 'changed by one caller';
  expect(answers[1]!.data!.unit.name).toBe('Hải Phòng');
});

test('another identity, other variables or a later request is not shared', async () => {
  const dataSource = source();
  await Promise.all([
    dataSource.process(fetchOf(QUERY, 'alice')),
    dataSource.process(fetchOf(QUERY, 'bob')),
    dataSource.process(fetchOf('query($code: String!) { unit(code: $code) { code } }', 'alice')),
  ]);
  await dataSource.process(fetchOf(QUERY, 'alice'));
  expect(received.map((r) => r.identity)).toEqual(['alice', 'bob', 'alice', 'alice']);
});

test('mutations are never shared', async () => {
  const dataSource = source();
  const mutation = 'mutation($code: String!) { record(code: $code) }';
  await Promise.all([dataSource.process(fetchOf(mutation, 'alice')), dataSource.process(fetchOf(mutation, 'alice'))]);
  expect(received).toHaveLength(2);
});

test("a subgraph's refusal with a client error code reaches every sharing caller, naming the service", async () => {
  const dataSource = source('/refuses');
  const results = await Promise.allSettled([
    dataSource.process(fetchOf(QUERY, 'alice')),
    dataSource.process(fetchOf(QUERY, 'alice')),
  ]);
  expect(received).toHaveLength(1);
  for (const result of results)
    expect(result).toMatchObject({
      status: 'rejected',
      reason: {
        message: 'Variable "$code" got invalid value',
        extensions: { code: 'BAD_USER_INPUT', serviceName: 'reference' },
      },
    });
});

test('an unreachable subgraph is SOURCE_UNAVAILABLE naming it, never its URL', async () => {
  const dataSource = new SubgraphDataSource(
    'party',
    'http://127.0.0.1:1/graphql',
    createSubgraphFetcher(2000),
    new Inflight<SubgraphAnswer>(),
    createLogger('test', 'silent'),
  );
  await expect(dataSource.process(fetchOf(QUERY, 'alice'))).rejects.toMatchObject({
    message: 'The party service is unavailable; other parts of the answer are complete',
    extensions: { code: 'SOURCE_UNAVAILABLE', serviceName: 'party' },
  });
});
