import { AnalyticsStore } from '../../store';
import { num } from '../aggregate';
import { askBothWays, realCatalog, storeWith } from './helpers';

const old = (code: string) => `${code}@2000-01-01`;

describe('numbers too large to represent', () => {
  let store: AnalyticsStore;

  beforeAll(async () => {
    const catalog = realCatalog();
    const wards = catalog.children(old('304')).map((u) => u.id);
    store = await storeWith(catalog, [
      { indicator: 'PB_NEW_MEMBERS', unitId: wards[0]!, period: '2024S1', value: 1e308, target: null },
      { indicator: 'PB_NEW_MEMBERS', unitId: wards[1]!, period: '2024S1', value: 1e308, target: null },
      { indicator: 'PB_NEW_MEMBERS', unitId: old('303'), period: '2024S1', value: 12, target: null },
      { indicator: 'EB_BUDGET_REV', unitId: old('305'), period: '2025S1', value: 1e15, target: null },
      { indicator: 'EB_BUDGET_REV', unitId: old('305'), period: '2024S1', value: 1e-300, target: null },
    ]);
  });

  afterAll(() => store.close());

  it('are null in the rows whose sums overflow, and every other row keeps its number', async () => {
    const rows = await askBothWays(store, realCatalog(), {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['304', '303', '31'],
      periods: ['2024S1'],
      boundariesAsOf: '2025-01-01',
    });
    const byUnit = Object.fromEntries(rows.map((r) => [r.unitCode, r.value]));
    expect(byUnit).toEqual({ '304': null, '303': 12, '31': null });
  });

  it('are null where a percentage over a near-zero base overflows', async () => {
    const [row] = await askBothWays(store, realCatalog(), {
      indicators: ['EB_BUDGET_REV'],
      units: ['305'],
      periods: ['2025S1'],
      boundariesAsOf: '2025-01-01',
    });
    expect(row).toMatchObject({ value: 1e15, samePeriodValue: 1e-300, samePeriodPct: null });
  });

  it('reads only finite numbers', () => {
    expect([num(Infinity), num(-Infinity), num(NaN), num('1.5'), num(null)]).toEqual([null, null, null, 1.5, null]);
  });
});
