import { join } from 'node:path';
import { staticCatalog } from '@lgr/kit';
import { askSubgraph, createTestStore, testCatalog, TEST_INTERNAL_SECRET } from '@lgr/observations/dist/testing/helpers';
import { loadAdminUnits } from '../../../reference/src/data/admin-units';
import { start as startParty } from '..';
import { start as startEconomy } from '../../../economy/src';
import { start as startSocial } from '../../../social/src';

it('smoke', async () => {
  const catalog = testCatalog(loadAdminUnits, join(__dirname, '../../../reference/data/admin-units'));
  for (const [name, start] of [['party', startParty], ['economy', startEconomy], ['social', startSocial]] as const) {
    for (const kind of ['sqlite', 'postgresql'] as const) {
      const store = await createTestStore(kind, 'smoke');
      const t = Date.now();
      const svc = await start({ port: 0, dataDir: store.dataDir, databaseUrl: store.databaseUrl, internalSecret: TEST_INTERNAL_SECRET, catalog: staticCatalog(catalog), demoData: true, logLevel: 'silent' });
      const counts = await svc.demoLoad;
      console.log(name, kind, Date.now() - t, JSON.stringify(counts));
      const t2 = Date.now();
      const again = await svc.seed();
      console.log('again', Date.now() - t2, JSON.stringify(again.records), again.synthetic.unchanged, again.report.unchanged);
      const q = `{ _entities(representations: [{__typename: "AdminUnit", id: "304@2000-01-01"}]) { ... on AdminUnit { ${name}Figures(period: "2025S1") { indicator { code } value target }
        ${name === 'party' ? 'partyOrganisations { name kind established } partyCongresses(term: "2025-2030") { body status heldDate term { code } } congressResolutionTargets(term: "2020-2025") { summary { total completed outstanding notCompleted } items { ordinal title status } }' : name === 'economy' ? 'budgetEstimates(year: 2025) { category amount }' : 'recruitmentQuotas { year quota delivered }'} } } }`;
      console.log(JSON.stringify(await askSubgraph(svc.url, q)).slice(0, 3000));
      await svc.close();
      await store.dispose();
    }
  }
});
