import { Figure, LineageLink, parsePeriod, ReferenceEvaluator, UnitCatalog, UnitVersion } from '@lgr/schema';
import { runAggregate } from '../aggregate';
import { askBothWays, compareWithEvaluator, storeWith, unit } from './helpers';

/*
 * Three eras (two reorganisations): units of the third are made of the second's for a time before
 * they existed, and those of the first's, so rule 4 chains through two stages.
 */
const E1 = ['2000-01-01', '2020-03-31'] as const;
const E2 = ['2020-04-01', '2022-06-30'] as const;
const E3 = ['2022-07-01', null] as const;

const units: UnitVersion[] = [
  unit('A', 'PROVINCE', null, ...E1),
  unit('A1', 'DISTRICT', 'A@2000-01-01', ...E1),
  unit('A11', 'COMMUNE', 'A1@2000-01-01', ...E1),
  unit('A12', 'COMMUNE', 'A1@2000-01-01', ...E1),
  unit('A2', 'DISTRICT', 'A@2000-01-01', ...E1),
  unit('A21', 'COMMUNE', 'A2@2000-01-01', ...E1),
  unit('A3', 'DISTRICT', 'A@2000-01-01', ...E1),
  unit('B', 'PROVINCE', null, ...E2),
  unit('B1', 'DISTRICT', 'B@2020-04-01', ...E2),
  unit('B11', 'COMMUNE', 'B1@2020-04-01', ...E2),
  unit('B12', 'COMMUNE', 'B1@2020-04-01', ...E2),
  unit('B13', 'COMMUNE', 'B1@2020-04-01', ...E2),
  unit('C', 'PROVINCE', null, ...E3),
  unit('C1', 'COMMUNE', 'C@2022-07-01', ...E3),
  unit('C2', 'COMMUNE', 'C@2022-07-01', ...E3),
];
const links: LineageLink[] = [
  { fromId: 'A11@2000-01-01', toId: 'B11@2020-04-01', share: 1 },
  { fromId: 'A12@2000-01-01', toId: 'B11@2020-04-01', share: 0.25 },
  { fromId: 'A12@2000-01-01', toId: 'B12@2020-04-01', share: 0.75 },
  { fromId: 'A21@2000-01-01', toId: 'B13@2020-04-01', share: 1 },
  { fromId: 'A3@2000-01-01', toId: 'B13@2020-04-01', share: 1 },
  { fromId: 'B11@2020-04-01', toId: 'C1@2022-07-01', share: 1 },
  { fromId: 'B12@2020-04-01', toId: 'C1@2022-07-01', share: 0.5 },
  { fromId: 'B12@2020-04-01', toId: 'C2@2022-07-01', share: 0.5 },
  { fromId: 'B13@2020-04-01', toId: 'C2@2022-07-01', share: 1 },
];

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('three eras', () => {
  it('chains rule 4 through two reorganisations like the reference evaluator', async () => {
    const catalog = new UnitCatalog(units, links);
    const rnd = random(7);
    const periods = [
      '2019',
      '2020',
      '2021',
      '2022',
      '2023',
      '2020S1',
      '2021S2',
      '2022S1',
      '2022S2',
      '2020Q1',
      '2020Q2',
      '202004',
      '202206',
      '202207',
      '2020-2025',
    ];
    const figures: Figure[] = [];
    for (const u of units) {
      // Figures only for periods the unit existed in at least a day of.
      for (const period of periods.filter(
        (code) => parsePeriod(code).end >= u.validFrom && (!u.validTo || parsePeriod(code).start <= u.validTo),
      )) {
        if (rnd() < 0.3)
          figures.push({
            indicator: 'PB_NEW_MEMBERS',
            unitId: u.id,
            period,
            value: Math.round(rnd() * 100),
            target: rnd() < 0.3 ? 50 : null,
          });
        if (rnd() < 0.2)
          figures.push({ indicator: 'SS_POOR_HH', unitId: u.id, period, value: Math.round(rnd() * 100), target: null });
      }
    }
    figures.push({ indicator: 'PB_NEW_MEMBERS', unitId: 'A11@2000-01-01', period: '2019', value: 40, target: null });
    figures.push({ indicator: 'PB_NEW_MEMBERS', unitId: 'A12@2000-01-01', period: '2019', value: 80, target: null });
    const store = await storeWith(catalog, figures);
    try {
      const evaluator = new ReferenceEvaluator(catalog, figures);
      let compared = 0;
      for (const asOf of [undefined, '2022-07-01', '2020-04-01', '2019-12-31']) {
        const rows = await askBothWays(store, catalog, {
          indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH'],
          units: units.map((u) => u.id),
          periods: ['2019', '2020', '2021', '2022', '2023', '2020S1', '2022S1', '2022S2', '2020-2025'],
          ...(asOf ? { boundariesAsOf: asOf } : {}),
        });
        expect(compareWithEvaluator(rows, evaluator)).toEqual([]);
        compared += rows.length;
      }
      expect(compared).toBe(4 * 2 * units.length * 9);
      // C1 for 2019 is B11 and half of B12, themselves A11 and a quarter of A12, and three quarters
      // of A12: 40 + 80 / 4 + (80 * 3 / 4) / 2.
      const [c1] = await runAggregate(store, catalog, {
        indicators: ['PB_NEW_MEMBERS'],
        units: ['C1'],
        periods: ['2019'],
        boundariesAsOf: '2023-01-01',
      });
      expect(c1!.value).toBe(40 + 20 + 30);
    } finally {
      await store.close();
    }
  });
});
