import { printSubgraphSdl } from '@lgr/kit';
import { askSubgraph, testCatalog, viewerOf } from '@lgr/observations/testing/helpers';
import { demoDataSuite, domainSubgraphSuite } from '@lgr/observations/testing/suite';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { buildSocialSchema, start } from '..';

const catalog = () => testCatalog(loadAdminUnits, DEFAULT_UNITS_DIR);

domainSubgraphSuite({
  domain: 'SOCIAL',
  start,
  catalog,
  recordFields: 'recruitmentQuotas { year quota }',
  recordKinds: 1,
});

demoDataSuite({
  domain: 'SOCIAL',
  start,
  catalog,
  checkRecords: async (service) => {
    const q = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit {
      socialFigures(indicators: ["DF_MIL_RECRUITS", "SS_NEAR_POOR_HH"]) { indicator { code } period value target }
      recruitmentQuotas { year quota delivered }
      only2025: recruitmentQuotas(year: 2025) { year }
    } } }`;
    const answer = await askSubgraph(service.url, q, { reps: [{ __typename: 'AdminUnit', id: '304@2000-01-01' }] });
    expect(answer.errors).toBeUndefined();
    const unit = answer.data!._entities[0];
    const figure = (code: string, period: string) =>
      unit.socialFigures.find((f: any) => f.indicator.code === code && f.period === period);
    // "completing 100% of military recruitment targets": the 2025 quota was delivered in full.
    const quota2025 = unit.recruitmentQuotas.find((q: any) => q.year === 2025);
    expect(quota2025.quota).toBe(figure('DF_MIL_RECRUITS', '2025').target);
    expect(quota2025.delivered).toBe(figure('DF_MIL_RECRUITS', '2025S1').value);
    expect(quota2025.delivered).toBe(quota2025.quota);
    expect(unit.only2025).toEqual([{ year: 2025 }]);
    // "there are no more near-poor households in the area"
    expect(figure('SS_NEAR_POOR_HH', '2025S1').value).toBe(0);

    // Every quota is its unit's DF_MIL_RECRUITS target for the year, and delivered the year's figures.
    const em = service.orm.em.fork();
    const quotas = await em.getConnection().execute('select unit_id, year, quota, delivered from recruitment_quota');
    const figures = await em
      .getConnection()
      .execute(`select unit_id, period, value, target from observation where indicator = 'DF_MIL_RECRUITS'`);
    expect(quotas.length).toBeGreaterThan(100);
    for (const q of quotas) {
      const target = figures.find((f: any) => f.unit_id === q.unit_id && f.period === String(q.year));
      const values = figures.filter(
        (f: any) => f.unit_id === q.unit_id && f.period.startsWith(`${q.year}S`) && f.value !== null,
      );
      expect({
        unit: q.unit_id,
        year: q.year,
        quota: Number(q.quota),
        delivered: q.delivered === null ? null : Number(q.delivered),
      }).toEqual({
        unit: q.unit_id,
        year: q.year,
        quota: Number(target.target),
        delivered: values.length ? values.reduce((s: number, f: any) => s + Number(f.value), 0) : null,
      });
    }

    const denied = await askSubgraph(
      service.url,
      q,
      { reps: [{ __typename: 'AdminUnit', id: '304@2000-01-01' }] },
      viewerOf('303'),
    );
    expect(denied.data!._entities[0]).toEqual({ socialFigures: null, recruitmentQuotas: null, only2025: null });
  },
});

describe('social schema', () => {
  it('extends AdminUnit with figures and recruitment quotas and namespaces its mutation', async () => {
    const sdl = printSubgraphSdl(await buildSocialSchema());
    expect(sdl).toMatch(/social: SocialMutation(?!!)/);
    expect(sdl).toContain('recruitmentQuotas(year: Int): [RecruitmentQuota!]');
    expect(sdl).toMatch(
      /socialFigures\((period: String, indicators: \[String!\]|indicators: \[String!\], period: String)\): \[Figure!\]/,
    );
    expect(sdl).not.toMatch(/partyFigures|economyFigures|partyOrganisations|budgetEstimates/);
  });
});
