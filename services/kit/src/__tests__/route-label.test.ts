import { AddressInfo } from 'node:net';
import express from 'express';
import { routeLabel, UNMATCHED_ROUTE } from '../route-label';

describe('routeLabel', () => {
  it('labels requests by route template or mount path, and every other path with one label', async () => {
    const labels: string[] = [];
    const app = express();
    app.use((req, res, next) => {
      res.on('finish', () => labels.push(routeLabel(req)));
      next();
    });
    app.get('/health', (_req, res) => void res.send('ok'));
    app.get('/feed/:name', (_req, res) => void res.send('ok'));
    app.use('/graphql', (_req, res) => void res.send('ok'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of [
        '/health',
        '/feed/party?after=3',
        '/feed/economy',
        '/graphql',
        '/GraphQL/x',
        '/x1',
        '/x2/y',
        '/health/z',
      ]) {
        await (await fetch(`${base}${path}`)).text();
      }
    } finally {
      server.close();
    }
    expect(labels).toEqual([
      '/health',
      '/feed/:name',
      '/feed/:name',
      '/graphql',
      '/graphql',
      UNMATCHED_ROUTE,
      UNMATCHED_ROUTE,
      UNMATCHED_ROUTE,
    ]);
  });
});
