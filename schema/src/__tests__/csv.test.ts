import { csvCell, toCsv } from '../csv';

describe('CSV writing', () => {
  it('quotes only what needs quoting and doubles quotes', () => {
    expect(csvCell('Ngô Quyền')).toBe('Ngô Quyền');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
  });

  it('writes missing values as empty cells, never 0', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(0)).toBe('0');
  });

  it('writes numbers, booleans and nested values', () => {
    expect(csvCell(93.7)).toBe('93.7');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(12n)).toBe('12');
    expect(csvCell([1, 2])).toBe('"[1,2]"');
  });

  it('ends every record with CRLF after a header', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          [1, null],
          ['x', 'y,z'],
        ],
      ),
    ).toBe('a,b\r\n1,\r\nx,"y,z"\r\n');
  });
});
