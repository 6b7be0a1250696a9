import { GraphQLError } from 'graphql';
import { LineageLink, UnitCatalog } from '@lgr/schema';
import { planAggregate, requestedPeriods } from '../plan';
import { unit } from './helpers';

// Province P with districts D1 (communes C1, C2) and D2 (no communes) until 2025-06-30; then province
// P (a reused code) with communes N1 (all of C1, half of C2) and N2 (the rest of C2, all of D2).
const catalog = new UnitCatalog(
  [
    unit('P', 'PROVINCE', null, '2000-01-01', '2025-06-30'),
    unit('D1', 'DISTRICT', 'P@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('C1', 'COMMUNE', 'D1@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('C2', 'COMMUNE', 'D1@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('D2', 'DISTRICT', 'P@2000-01-01', '2000-01-01', '2025-06-30'),
    unit('P', 'PROVINCE', null, '2025-07-01', null),
    unit('N2', 'COMMUNE', 'P@2025-07-01', '2025-07-01', null),
    unit('N1', 'COMMUNE', 'P@2025-07-01', '2025-07-01', null),
  ],
  [
    { fromId: 'C1@2000-01-01', toId: 'N1@2025-07-01', share: 1 },
    { fromId: 'C2@2000-01-01', toId: 'N1@2025-07-01', share: 0.5 },
    { fromId: 'C2@2000-01-01', toId: 'N2@2025-07-01', share: 0.5 },
    { fromId: 'D2@2000-01-01', toId: 'N2@2025-07-01', share: 1 },
  ] satisfies LineageLink[],
);

const codeOf = (error: unknown) => (error as GraphQLError).extensions.code;

describe('planAggregate', () => {
  it('resolves a code on the last day of each period unless boundariesAsOf is given', () => {
    const plan = planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['P'], periods: ['2024', '2025'] });
    expect(plan.rows.map((r) => [r.unit.id, r.period.code, r.boundariesAsOf])).toEqual([
      ['P@2000-01-01', '2024', '2024-12-31'],
      ['P@2025-07-01', '2025', '2025-12-31'],
    ]);
    const asOf = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['P'],
      periods: ['2024'],
      boundariesAsOf: '2025-07-01',
    });
    expect(asOf.rows[0]!.unit.id).toBe('P@2025-07-01');
    const byId = planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['P@2000-01-01'], periods: ['2025'] });
    expect(byId.rows[0]!.unit.id).toBe('P@2000-01-01');
  });

  it('expands a level to the units inside valid on the date, sorted by code', () => {
    const plan = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['P'],
      periods: ['2024', '2025'],
      level: 'COMMUNE',
    });
    expect(plan.rows.map((r) => `${r.unit.code} ${r.period.code}`)).toEqual([
      'C1 2024',
      'C2 2024',
      'N1 2025',
      'N2 2025',
    ]);
    // A version id asked on a date outside its validity keeps itself but not its (expired) members.
    const expired = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['D1@2000-01-01'],
      periods: ['2025'],
      level: 'DISTRICT',
    });
    expect(expired.rows.map((r) => r.unit.id)).toEqual(['D1@2000-01-01']);
    const none = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['D1@2000-01-01'],
      periods: ['2025'],
      level: 'COMMUNE',
    });
    expect(none.rows).toEqual([]);
  });

  it('plans the value, same-period and year-to-date parts of each row once per indicator and period', () => {
    const plan = planAggregate(catalog, {
      indicators: ['AR_TTHC_ONTIME_PCT'],
      units: ['P'],
      periods: ['2024Q3'],
      level: 'COMMUNE',
    });
    const code = (pid: number) => plan.periods[pid]!.code;
    const base = (iid: number) => plan.indicators[iid]!.code;
    expect(new Set(plan.rows.map((r) => r.templateId)).size).toBe(1);
    expect(plan.parts.map((p) => `${p.role} ${p.side} ${base(p.base)} ${code(p.period)}`)).toEqual([
      'VALUE N AR_TTHC_ONTIME 2024Q3',
      'SAME N AR_TTHC_ONTIME 2023Q3',
      // The year to date of a FLOW, 2024Q1 to 2024Q3, is one node valued like a period: its parts
      // are the first half and the third quarter.
      'YTD N AR_TTHC_ONTIME 2024S1..2024Q3',
      'VALUE D AR_TTHC_RESOLVED 2024Q3',
      'SAME D AR_TTHC_RESOLVED 2023Q3',
      'YTD D AR_TTHC_RESOLVED 2024S1..2024Q3',
    ]);
    const ytd = plan.periods.find((p) => p.code === '2024S1..2024Q3')!;
    expect(plan.subs.filter((s) => s.parent === ytd.pid).map((s) => code(s.child))).toEqual(['2024S1', '2024Q3']);
    // The ratio's own code is planned only for its target.
    expect(plan.indicators.map((i) => [i.code, i.value, i.target])).toEqual([
      ['AR_TTHC_ONTIME', true, false],
      ['AR_TTHC_RESOLVED', true, false],
      ['AR_TTHC_ONTIME_PCT', false, true],
    ]);
    expect(plan.periods.filter((p) => p.target).map((p) => p.code)).toEqual(['2024']);
  });

  it('plans only the parts of the numbers asked for', () => {
    const request = {
      indicators: ['AR_TTHC_ONTIME_PCT'],
      units: ['P'],
      periods: ['2024Q3'],
      level: 'COMMUNE' as const,
    };
    const roles = (measures: ('VALUE' | 'SAME_PERIOD' | 'TARGET')[]) => {
      const plan = planAggregate(catalog, { ...request, measures });
      return {
        parts: plan.parts.map((p) => `${p.role} ${p.side}`),
        targets: plan.rows.filter((r) => r.targetPeriod).length,
        targetPeriods: plan.periods.filter((p) => p.target).length,
      };
    };
    expect(roles(['VALUE'])).toEqual({ parts: ['VALUE N', 'VALUE D'], targets: 0, targetPeriods: 0 });
    expect(roles(['VALUE', 'SAME_PERIOD'])).toEqual({
      parts: ['VALUE N', 'SAME N', 'VALUE D', 'SAME D'],
      targets: 0,
      targetPeriods: 0,
    });
    expect(roles(['TARGET'])).toEqual({
      parts: ['VALUE N', 'YTD N', 'VALUE D', 'YTD D'],
      targets: 2,
      targetPeriods: 1,
    });
    expect(roles(['VALUE', 'SAME_PERIOD', 'TARGET']).parts).toEqual(
      planAggregate(catalog, request).parts.map((p) => `${p.role} ${p.side}`),
    );
  });

  it('closes the value periods under sub-periods and records their parents', () => {
    const plan = planAggregate(catalog, {
      indicators: ['SS_POOR_HH'],
      units: ['P'],
      periods: ['2020-2025'],
      boundariesAsOf: '2025-06-30',
    });
    const value = plan.periods.filter((p) => p.value);
    // The term (2020S2..2025S1) and its shift a year back (2019S2..2024S1, a span node with the same
    // kind of parts): halves and years, their quarters and months.
    expect(value.find((p) => p.code === '2020-2025')).toMatchObject({ part: true, parentEnd: null });
    expect(value.find((p) => p.code === '2019S2..2024S1')).toMatchObject({
      part: true,
      grain: 'TERM',
      parentEnd: null,
    });
    expect(value.find((p) => p.code === '2021')).toMatchObject({ part: false, parentEnd: 2025 * 12 + 5 });
    expect(value.find((p) => p.code === '202103')).toMatchObject({ part: false, parentEnd: 2021 * 12 + 2 });
    const termSubs = plan.subs
      .filter((s) => plan.periods[s.parent]!.code === '2020-2025')
      .map((s) => plan.periods[s.child]!.code);
    expect(termSubs).toEqual(['2020S2', '2021', '2022', '2023', '2024', '2025S1']);
    expect(value.filter((p) => p.grain === 'MONTH')).toHaveLength(6 * 12);
  });

  it('computes a new unit from its predecessors only when a period lies before it', () => {
    // 2026S2 and the same half a year earlier both lie after the reorganisation.
    const after = planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['N1'], periods: ['2026S2'] });
    expect(after.units).toEqual([{ id: 'N1@2025-07-01', valued: true }]);
    const before = planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['N1'], periods: ['2025'] });
    expect(before.units).toEqual(
      expect.arrayContaining([
        { id: 'N1@2025-07-01', valued: true },
        { id: 'C1@2000-01-01', valued: true },
        { id: 'C2@2000-01-01', valued: true },
        // D1 lies partly in N1: only its own figures are looked at (to flag the row incomplete).
        { id: 'D1@2000-01-01', valued: false },
        { id: 'P@2000-01-01', valued: false },
      ]),
    );
    expect(before.units).toHaveLength(5);
  });

  it('groups totals per indicator, requested unit and period, after the rows', () => {
    const plan = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['D1', 'P'],
      periods: ['2024', '2023'],
      level: 'COMMUNE',
      totals: true,
    });
    const out = plan.output.map((o) =>
      o.kind === 'ROW'
        ? `${plan.rows[o.id]!.unit.code} ${plan.rows[o.id]!.period.code}`
        : `total ${plan.groups[o.id]!.unit.code} ${plan.groups[o.id]!.period.code}`,
    );
    expect(out).toEqual([
      'C1 2024',
      'C1 2023',
      'C2 2024',
      'C2 2023',
      'total D1 2024',
      'total D1 2023',
      'C1 2024',
      'C1 2023',
      'C2 2024',
      'C2 2023',
      'total P 2024',
      'total P 2023',
    ]);
    const withoutUnit = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['P'],
      periods: ['2024'],
      level: 'COMMUNE',
      groupBy: ['INDICATOR', 'PERIOD'],
    });
    expect(withoutUnit.output).toEqual([{ kind: 'TOTAL', id: 0 }]);
    expect(withoutUnit.rows.every((r) => !r.emit && r.groupId === 0)).toBe(true);
  });

  it('replaces periods by the terms that contain them when grouped by term without period', () => {
    const plan = planAggregate(catalog, {
      indicators: ['PB_NEW_MEMBERS'],
      units: ['P@2000-01-01'],
      periods: ['2021', '2025', '2019Q1', '2022S2', '2025S2'],
      groupBy: ['INDICATOR', 'UNIT', 'TERM'],
    });
    // 2025 lies across two terms and is in neither.
    expect(plan.rows.map((r) => [r.period.code, r.term])).toEqual([
      ['2015-2020', '2015-2020'],
      ['2020-2025', '2020-2025'],
      ['2025-2030', '2025-2030'],
    ]);
  });

  it('expands ranges by grain and refuses malformed requests naming the argument', () => {
    expect(
      requestedPeriods({ indicators: [], units: [], from: '2024Q3', to: '2025Q2', grain: 'SIX_MONTH' }).map(
        (p) => p.code,
      ),
    ).toEqual(['2024S2', '2025S1']);
    expect(
      requestedPeriods({ indicators: [], units: [], from: '2024Q2', to: '2025Q2', grain: 'YEAR' }).map((p) => p.code),
    ).toEqual([]);
    expect(requestedPeriods({ indicators: [], units: [], from: '202411', to: '202502' }).map((p) => p.code)).toEqual([
      '202411',
      '202412',
      '202501',
      '202502',
    ]);
    const fails = (request: object) => {
      try {
        planAggregate(catalog, request as never);
      } catch (e) {
        return [codeOf(e), (e as GraphQLError).extensions.argument];
      }
      return 'no error';
    };
    const ok = { indicators: ['PB_NEW_MEMBERS'], units: ['P'], periods: ['2024'] };
    expect(fails({ ...ok, indicators: [] })).toEqual(['BAD_USER_INPUT', 'indicators']);
    expect(fails({ ...ok, units: [] })).toEqual(['BAD_USER_INPUT', 'units']);
    expect(fails({ ...ok, periods: ['2024S3'] })).toEqual(['INVALID_PERIOD', 'periods']);
    expect(fails({ ...ok, periods: ['2031-2036'] })).toEqual(['INVALID_PERIOD', 'periods']);
    expect(fails({ ...ok, periods: undefined, from: '2024', to: '2025', grain: 'DECADE' })).toEqual([
      'BAD_USER_INPUT',
      'grain',
    ]);
    expect(fails({ ...ok, periods: undefined, to: '2025' })).toEqual(['BAD_USER_INPUT', 'from']);
    expect(fails({ ...ok, periods: undefined })).toEqual(['BAD_USER_INPUT', 'periods']);
    expect(fails({ ...ok, units: ['Q'] })).toEqual(['UNIT_NOT_FOUND', 'units']);
    expect(fails({ ...ok, units: ['P@1999-01-01'] })).toEqual(['UNIT_NOT_FOUND', 'units']);
    expect(fails({ ...ok, boundariesAsOf: 'yesterday' })).toEqual(['BAD_USER_INPUT', 'boundariesAsOf']);
    expect(fails({ ...ok, level: 'CITY' })).toEqual(['BAD_USER_INPUT', 'level']);
    expect(fails({ ...ok, groupBy: 'UNIT' })).toEqual(['BAD_USER_INPUT', 'groupBy']);
    expect(fails({ ...ok, measures: 'VALUE' })).toEqual(['BAD_USER_INPUT', 'measures']);
    expect(fails({ ...ok, measures: ['VALUE', 'YTD'] })).toEqual(['BAD_USER_INPUT', 'measures']);
  });

  it('refuses units outside the scope before anything is computed, and counts rows against maxRows', () => {
    const scope = new Set(['P@2000-01-01', 'D1@2000-01-01', 'C1@2000-01-01', 'C2@2000-01-01', 'D2@2000-01-01']);
    expect(() =>
      planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['P'], periods: ['2025'] }, { scope }),
    ).toThrow('Argument "units": you are not allowed to read unit "P"');
    expect(
      planAggregate(catalog, { indicators: ['PB_NEW_MEMBERS'], units: ['P'], periods: ['2024'] }, { scope }).rows,
    ).toHaveLength(1);
    // 2 indicators x (2 communes + 1 total) = 6 rows.
    const request = {
      indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH'],
      units: ['P'],
      periods: ['2024'],
      level: 'COMMUNE' as const,
      totals: true,
    };
    expect(planAggregate(catalog, request, { maxRows: 6 }).output).toHaveLength(6);
    expect(() => planAggregate(catalog, request, { maxRows: 5 })).toThrow(
      'The query would return 6 rows, more than the limit of 5',
    );
  });
});
