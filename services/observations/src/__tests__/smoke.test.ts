import { join } from 'node:path';
import { printSubgraphSdl, staticCatalog } from '@lgr/kit';
import { loadAdminUnits } from '../../../reference/src/data/admin-units';
import { buildDomainSchema, startDomainService } from '../service';
import { askSubgraph, createTestStore, StatementCounter, testCatalog, TEST_INTERNAL_SECRET } from '../testing/helpers';

it('smoke', async () => {
  const t0 = Date.now();
  const catalog = testCatalog(loadAdminUnits, join(__dirname, '../../../reference/data/admin-units'));
  console.log('catalog ms', Date.now() - t0);
  const schema = await buildDomainSchema({ domain: 'PARTY' });
  console.log(printSubgraphSdl(schema));
  for (const kind of ['sqlite', 'postgresql'] as const) {
    const store = await createTestStore(kind, 'smoke');
    const counter = new StatementCounter();
    const svc = await startDomainService({ domain: 'PARTY', name: 'party', port: 0, dataDir: store.dataDir, databaseUrl: store.databaseUrl, internalSecret: TEST_INTERNAL_SECRET, catalog: staticCatalog(catalog), demoData: false, logLevel: 'silent', onQuery: counter.onQuery });
    const q = 'mutation($input: [ObservationInput!]!, $dry: Boolean) { party { recordObservations(input: $input, dryRun: $dry) { ok inserted updated unchanged errors { index field message code } } } }';
    const input = [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S1', value: 254 }, { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025', target: 271 }];
    console.log(JSON.stringify(await askSubgraph(svc.url, q, { input, dry: true })));
    counter.reset();
    console.log(JSON.stringify(await askSubgraph(svc.url, q, { input })));
    console.log(counter.statements);
    console.log(JSON.stringify(await askSubgraph(svc.url, q, { input })));
    console.log(JSON.stringify(await askSubgraph(svc.url, q, { input: [{ indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S3', value: -1 }, { indicator: 'EB_BUDGET_REV', unit: '304', period: '2025S2', value: 1 }] })));
    console.log(JSON.stringify(await askSubgraph(svc.url, '{ _entities(representations: [{__typename: "AdminUnit", id: "304@2000-01-01"}]) { ... on AdminUnit { partyFigures { indicator { code } period value target updatedAt } } } }')));
    const t1 = Date.now();
    const counts = await svc.seed();
    console.log('seed ms', Date.now() - t1, JSON.stringify(counts));
    const t2 = Date.now();
    console.log('reseed', JSON.stringify(await svc.seed()), Date.now() - t2);
    await svc.close();
    await store.dispose();
  }
});
