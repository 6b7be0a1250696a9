import {
  fromObservationColumns,
  isObservationColumns,
  observationColumnsSchema,
  toObservationColumns,
} from '../observation-columns';

describe('observation columns', () => {
  const records = [
    { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S1', value: 254, target: null },
    { indicator: 'EB_BUDGET_REV', unit: '304', period: '2025', value: null, target: 410000 },
  ];

  it('carry records there and back', () => {
    const columns = toObservationColumns(records);
    expect(columns).toEqual({
      indicator: ['PB_NEW_MEMBERS', 'EB_BUDGET_REV'],
      unit: ['304', '304'],
      period: ['2025S1', '2025'],
      value: [254, null],
      target: [null, 410000],
    });
    expect(fromObservationColumns(JSON.parse(JSON.stringify(columns)))).toEqual({ records });
  });

  it('read missing value or target columns as not given', () => {
    expect(fromObservationColumns({ indicator: ['A'], unit: ['304'], period: ['2025'], target: [5] })).toEqual({
      records: [{ indicator: 'A', unit: '304', period: '2025', value: null, target: 5 }],
    });
  });

  it('name the row and the column of a bad cell', () => {
    expect(fromObservationColumns({ indicator: ['A', 'B'], unit: ['304', 305], period: ['2025', '2025'] })).toEqual({
      problem: { index: 1, field: 'unit', message: expect.stringContaining('string') },
    });
    expect(fromObservationColumns({ indicator: ['A'], unit: ['304'], period: ['2025'], value: ['12'] })).toMatchObject({
      problem: { index: 0, field: 'value' },
    });
  });

  it('refuse columns of different lengths, unknown columns and a value that is no object', () => {
    expect(fromObservationColumns({ indicator: ['A', 'B'], unit: ['304', '305'], period: ['2025'] })).toEqual({
      problem: { index: 1, field: 'period', message: 'expected 2 cells as in indicator, got 1' },
    });
    expect(fromObservationColumns({ indicator: [], unit: [], period: [], amount: [] })).toMatchObject({
      problem: { index: null, message: expect.stringContaining('amount') },
    });
    expect(fromObservationColumns([1, 2])).toMatchObject({ problem: { index: null, field: null } });
  });

  const good = { indicator: ['A'], unit: ['304'], period: ['2025'], value: [1], target: [null] };
  it.each<[string, unknown]>([
    ['good columns', good],
    ['no value or target column', { indicator: ['A'], unit: ['304'], period: ['2025'] }],
    ['an undefined value column', { ...good, value: undefined }],
    ['a null value column', { ...good, value: null }],
    ['NaN', { ...good, value: [NaN] }],
    ['Infinity', { ...good, target: [Infinity] }],
    ['a string value', { ...good, value: ['1'] }],
    ['a number as unit', { ...good, unit: [304] }],
    ['a null unit', { ...good, unit: [null] }],
    ['no period column', { indicator: ['A'], unit: ['304'] }],
    ['an unknown column', { ...good, amount: [1] }],
    ['an object for a column', { ...good, indicator: { 0: 'A' } }],
    ['an array', [good]],
    ['null', null],
    ['a string', 'A,304,2025,1,'],
  ])('the written-out check agrees with the schema on %s', (_name, input) => {
    expect(isObservationColumns(input)).toBe(observationColumnsSchema.safeParse(input).success);
  });
});
