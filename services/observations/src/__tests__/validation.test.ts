import { UnitCatalog } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { testCatalog } from '../../testing/helpers';
import { validateObservations } from '../validation';

let catalog: UnitCatalog;
beforeAll(() => {
  catalog = testCatalog(loadAdminUnits, DEFAULT_UNITS_DIR);
});

const check = (records: Parameters<typeof validateObservations>[0], canWrite?: (id: string) => boolean) =>
  validateObservations(records, { domain: 'PARTY', catalog, ...(canWrite ? { canWrite } : {}) });

describe('row validation', () => {
  it('resolves a code for the period: at its end, else the latest version valid during it', () => {
    const { rows, errors } = check([
      { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2025', target: 1 },
      { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2025S1', value: 1 },
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025', target: 271 },
      { indicator: 'PB_RESOLUTION_TARGETS_MET', unit: '304', period: '2020-2025', value: 16, target: 16 },
      { indicator: 'PB_NEW_MEMBERS', unit: ' 304@2000-01-01 ', period: ' 2025S1 ', value: 254 },
    ]);
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.unitId, r.period])).toEqual([
      ['11329@2025-07-01', '2025'],
      ['11329@2000-01-01', '2025S1'],
      ['304@2000-01-01', '2025'],
      ['304@2000-01-01', '2020-2025'],
      ['304@2000-01-01', '2025S1'],
    ]);
  });

  it("checks targets against the indicator's target period", () => {
    const { errors } = check([
      { indicator: 'PB_RESOLUTION_TARGETS_MET', unit: '304', period: '2025', target: 16 },
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2020-2025', target: 16 },
      { indicator: 'PB_MEMBERS_TOTAL', unit: '304', period: '2025', target: 1 },
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '202506', target: 1 },
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025Q1', value: 1 },
    ]);
    expect(errors.map((e) => `${e.index}:${e.field}`)).toEqual(['0:target', '1:target', '2:target', '3:target']);
    expect(errors[0]!.message).toContain('a congress term');
    expect(errors[1]!.message).toContain('a year');
    expect(errors[2]!.message).toContain('takes no target');
  });

  it("refuses units outside the caller's scope row by row, after resolving them", () => {
    const { rows, errors } = check(
      [
        { indicator: 'PB_NEW_MEMBERS', unit: '11335', period: '2024S1', value: 1 },
        { indicator: 'PB_NEW_MEMBERS', unit: '11311', period: '2024S1', value: 1 },
      ],
      (id) => id.startsWith('11335'),
    );
    expect(rows).toHaveLength(1);
    expect(errors).toEqual([
      { index: 1, field: 'unit', code: 'FORBIDDEN', message: expect.stringContaining('11311@2000-01-01') },
    ]);
  });

  it('refuses values that are not finite non-negative numbers, whatever the transport let through', () => {
    const { errors } = check([
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S1', value: Number.NaN },
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S1', value: Number.POSITIVE_INFINITY },
      { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025', target: '12' as never },
      { indicator: '', unit: '', period: '' },
    ]);
    expect(errors.map((e) => `${e.index}:${e.field}:${e.code}`)).toEqual([
      '0:value:BAD_USER_INPUT',
      '1:value:BAD_USER_INPUT',
      '2:target:BAD_USER_INPUT',
      '3:indicator:UNKNOWN_INDICATOR',
      '3:period:INVALID_PERIOD',
      '3:unit:UNIT_NOT_FOUND',
      '3:value:BAD_USER_INPUT',
    ]);
  });

  it('refuses values for periods that have not started and figures above 1e15, and allows targets ahead', () => {
    const { rows, errors } = validateObservations(
      [
        { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2026S2', value: 3 },
        { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2027S1', value: 3 },
        { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2027', target: 60 },
        { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2026S1', value: 2e15 },
        { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2026', target: 1e16 },
        { indicator: 'PB_NEW_MEMBERS', unit: '11329', period: '2026S1', value: 1e15 },
      ],
      { domain: 'PARTY', catalog, today: '2026-11-30' },
    );
    expect(rows.map((r) => `${r.index}:${r.period}`)).toEqual(['0:2026S2', '2:2027', '5:2026S1']);
    expect(errors.map((e) => `${e.index}:${e.field}:${e.code}`)).toEqual([
      '1:period:INVALID_PERIOD',
      '3:value:BAD_USER_INPUT',
      '4:target:BAD_USER_INPUT',
    ]);
    expect(errors[0]!.message).toContain('2027S1 starts on 2027-01-01, after today (2026-11-30)');
  });
});
