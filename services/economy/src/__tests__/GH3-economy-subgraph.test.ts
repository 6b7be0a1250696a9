import { printSubgraphSdl } from '@lgr/kit';
import { askSubgraph, testCatalog, viewerOf } from '@lgr/observations/testing/helpers';
import { demoDataSuite, domainSubgraphSuite } from '@lgr/observations/testing/suite';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { buildEconomySchema, start } from '..';

const catalog = () => testCatalog(loadAdminUnits, DEFAULT_UNITS_DIR);

domainSubgraphSuite({
  domain: 'ECONOMY',
  start,
  catalog,
  recordFields: 'budgetEstimates(year: 2024) { category amount }',
  recordKinds: 1,
});

demoDataSuite({
  domain: 'ECONOMY',
  start,
  catalog,
  checkRecords: async (service) => {
    const q = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit {
      economyFigures(period: "2025") { indicator { code } target }
      budgetEstimates(year: 2025) { year category amount }
      total: budgetEstimates(year: 2025, category: TOTAL) { amount }
    } } }`;
    const answer = await askSubgraph(service.url, q, { reps: [{ __typename: 'AdminUnit', id: '304@2000-01-01' }] });
    expect(answer.errors).toBeUndefined();
    const unit = answer.data!._entities[0];
    const estimate = (category: string) => unit.budgetEstimates.find((e: any) => e.category === category)?.amount;
    const target = (code: string) => unit.economyFigures.find((f: any) => f.indicator.code === code)?.target;
    // TOTAL is the EB_BUDGET_REV target and NON_STATE_TAX the EB_NONSTATE_TAX target of 304 for 2025.
    expect(estimate('TOTAL')).toBe(1520000);
    expect(estimate('TOTAL')).toBe(target('EB_BUDGET_REV'));
    expect(estimate('NON_STATE_TAX')).toBe(310000);
    expect(estimate('NON_STATE_TAX')).toBe(target('EB_NONSTATE_TAX'));
    expect(unit.total).toEqual([{ amount: 1520000 }]);
    expect(
      unit.budgetEstimates.filter((e: any) => e.category !== 'TOTAL').reduce((s: number, e: any) => s + e.amount, 0),
    ).toBe(1520000);

    // The same holds for every unit and year of the demo data.
    const em = service.orm.em.fork();
    const broken = await em.getConnection().execute(`
      select e.unit_id, e.year from budget_estimate e
      left join observation o on o.indicator = 'EB_BUDGET_REV' and o.unit_id = e.unit_id and o.period = cast(e.year as text)
      group by e.unit_id, e.year, o.target
      having sum(case when e.category = 'TOTAL' then e.amount else 0 end) <> coalesce(o.target, -1)
          or sum(case when e.category = 'TOTAL' then 0 else e.amount end) <> sum(case when e.category = 'TOTAL' then e.amount else 0 end)
          or min(e.amount) < 0`);
    expect(broken).toEqual([]);
    const [{ n }] = await em
      .getConnection()
      .execute(`select count(*) as n from budget_estimate where category = 'TOTAL'`);
    const [{ m }] = await em
      .getConnection()
      .execute(`select count(*) as m from observation where indicator = 'EB_BUDGET_REV' and target is not null`);
    expect(Number(n)).toBe(Number(m));

    const denied = await askSubgraph(
      service.url,
      q,
      { reps: [{ __typename: 'AdminUnit', id: '304@2000-01-01' }] },
      viewerOf('303'),
    );
    expect(denied.data!._entities[0]).toEqual({ economyFigures: null, budgetEstimates: null, total: null });
    expect(denied.errors!.every((e) => e.extensions!.code === 'FORBIDDEN')).toBe(true);
  },
});

describe('economy schema', () => {
  it('extends AdminUnit with figures and budget estimates and namespaces its mutation', async () => {
    const sdl = printSubgraphSdl(await buildEconomySchema());
    expect(sdl).toMatch(/economy: EconomyMutation(?!!)/);
    expect(sdl).toMatch(
      /type EconomyMutation \{[^}]*recordObservations\((input: \[ObservationInput!\]!, dryRun: Boolean = false|dryRun: Boolean = false, input: \[ObservationInput!\]!)\): RecordObservationsPayload(?!!)/,
    );
    expect(sdl).toMatch(
      /budgetEstimates\((year: Int, category: RevenueCategory|category: RevenueCategory, year: Int)\): \[BudgetEstimate!\]/,
    );
    expect(sdl).toMatch(
      /economyFigures\((period: String, indicators: \[String!\]|indicators: \[String!\], period: String)\): \[Figure!\]/,
    );
    expect(sdl).not.toMatch(/partyFigures|socialFigures|partyOrganisations|recruitmentQuotas/);
  });
});
