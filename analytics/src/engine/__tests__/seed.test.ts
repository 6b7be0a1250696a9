import { Figure, ReferenceEvaluator } from '@lgr/schema';
import { AnalyticsStore } from '../../store';
import { runAggregate } from '../aggregate';
import { compareWithEvaluator, realCatalog, storeWith } from './helpers';

const D304 = '304@2000-01-01';

describe('seed report', () => {
  const figures: Figure[] = [
    { indicator: 'PB_NEW_MEMBERS', unitId: D304, period: '2025S1', value: 254, target: null },
    { indicator: 'PB_NEW_MEMBERS', unitId: D304, period: '2025', value: null, target: 271 },
    { indicator: 'PB_ORGS_ESTABLISHED', unitId: D304, period: '2025S1', value: 5, target: null },
    { indicator: 'PB_ORGS_ESTABLISHED', unitId: D304, period: '2025', value: null, target: 4 },
    { indicator: 'EB_BUDGET_REV', unitId: D304, period: '2025S1', value: 820800, target: null },
    { indicator: 'EB_BUDGET_REV', unitId: D304, period: '2025', value: null, target: 1520000 },
    { indicator: 'EB_BUDGET_REV', unitId: D304, period: '2024S1', value: 414756, target: null },
    { indicator: 'EB_NONSTATE_TAX', unitId: D304, period: '2025S1', value: 174933, target: null },
    { indicator: 'EB_NONSTATE_TAX', unitId: D304, period: '2025', value: null, target: 310000 },
    { indicator: 'EB_NONSTATE_TAX', unitId: D304, period: '2024S1', value: 153047, target: null },
  ];
  let store: AnalyticsStore;
  beforeAll(async () => {
    store = await storeWith(realCatalog(), figures);
  });
  afterAll(() => store.close());

  it('reproduces the report', async () => {
    const t0 = Date.now();
    const rows = await runAggregate(store, realCatalog(), {
      indicators: ['PB_NEW_MEMBERS', 'PB_ORGS_ESTABLISHED', 'EB_BUDGET_REV', 'EB_NONSTATE_TAX'],
      units: ['304'],
      periods: ['2025S1'],
    });
    console.log(Date.now() - t0, JSON.stringify(rows, null, 1));
    expect(compareWithEvaluator(rows, new ReferenceEvaluator(realCatalog(), figures))).toEqual([]);
  });
});
