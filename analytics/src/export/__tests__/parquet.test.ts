import { uniqueNames } from '../parquet';

describe('Parquet export', () => {
  it('makes column names unique for a table', () => {
    expect(uniqueNames(['a', 'A', 'a', ''])).toEqual(['a', 'A_2', 'a_3', 'column']);
  });
});
