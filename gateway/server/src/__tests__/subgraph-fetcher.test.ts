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
      res.writeHead(req.url === '/refused' ? 400 : 200, {
        'content-type': 'application/json',
        'x-seen': req.headers['x-test'] ?? '',
      });
      res.end(JSON.stringify({ data: { echo: JSON.parse(body) } }));
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
    const res = await fetcher(`${base}/graphql`, {
      method: 'POST',
      headers: { 'x-test': `n${i}` },
      body: JSON.stringify({ i }),
    });
    expect({ ok: res.ok, status: res.status, seen: res.headers.get('x-seen') }).toEqual({
      ok: true,
      status: 200,
      seen: `n${i}`,
    });
    expect(await res.json()).toEqual({ data: { echo: { i } } });
  }
  expect(sockets.size).toBe(1);
});

test('an HTTP error status is a response, not a failure', async () => {
  const res = await createSubgraphFetcher(5000)(`${base}/refused`, { method: 'POST', body: '{}' });
  expect({ ok: res.ok, status: res.status }).toEqual({ ok: false, status: 400 });
});

test('a subgraph that does not answer in time fails with a TimeoutError', async () => {
  await expect(createSubgraphFetcher(200)(`${base}/slow`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
    name: 'TimeoutError',
  });
});

test('a subgraph that cannot be reached fails with the network error', async () => {
  await expect(
    createSubgraphFetcher(2000)('http://127.0.0.1:1/graphql', { method: 'POST', body: '{}' }),
  ).rejects.toMatchObject({
    code: 'ECONNREFUSED',
  });
});
