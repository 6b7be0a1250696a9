import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createSubgraphFetcher } from '../subgraph-fetcher';

let server: Server;
let base: string;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(req.url === '/refused' ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { echo: JSON.parse(body), seen: req.headers['x-test'] ?? '' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test('posts the body and headers, reads the answer, and reuses one kept connection', async () => {
  const fetcher = createSubgraphFetcher(5000);
  for (let i = 0; i < 3; i++) {
    const res = await fetcher(new URL(`${base}/graphql`), { 'x-test': `n${i}` }, JSON.stringify({ i }));
    expect({ status: res.status, contentType: res.contentType }).toEqual({
      status: 200,
      contentType: 'application/json',
    });
    expect(JSON.parse(res.body)).toEqual({ data: { echo: { i }, seen: `n${i}` } });
  }
  expect(sockets.size).toBe(1);
});

test('an HTTP error status is an answer, not a failure', async () => {
  const res = await createSubgraphFetcher(5000)(new URL(`${base}/refused`), {}, '{}');
  expect(res.status).toBe(400);
});

test('a subgraph that does not answer in time fails with a TimeoutError', async () => {
  await expect(createSubgraphFetcher(200)(new URL(`${base}/slow`), {}, '{}')).rejects.toMatchObject({
    name: 'TimeoutError',
  });
});

test('a subgraph that cannot be reached fails with the network error', async () => {
  await expect(createSubgraphFetcher(2000)(new URL('http://127.0.0.1:1/graphql'), {}, '{}')).rejects.toMatchObject({
    code: 'ECONNREFUSED',
  });
});
