import ExcelJS from 'exceljs';
import { excelValue, sheetName, toXlsx } from '../xlsx';

describe('xlsx workbooks', () => {
  it('keeps numbers as numbers, dates as dates and text as it is', () => {
    expect(excelValue(254, 'DOUBLE')).toBe(254);
    expect(excelValue('68797', 'BIGINT')).toBe(68797);
    expect(excelValue(12n, 'BIGINT')).toBe(12);
    expect(excelValue(Number.NaN, 'DOUBLE')).toBeNull();
    expect(excelValue('2025-07-01', 'DATE')).toEqual(new Date('2025-07-01T00:00:00Z'));
    expect(excelValue('Ngô Quyền', 'VARCHAR')).toBe('Ngô Quyền');
    expect(excelValue('0123', 'VARCHAR')).toBe('0123');
    expect(excelValue({ a: 1 }, 'STRUCT(a INTEGER)')).toBe('{"a":1}');
  });

  it('names sheets within Excel rules, uniquely', () => {
    const taken = new Set(['aggregate']);
    expect(sheetName('Aggregate', taken)).toBe('Aggregate 2');
    expect(sheetName('a/b:c*d?[e]', new Set())).toBe('a b c d  e');
    expect(sheetName('x'.repeat(40), new Set())).toHaveLength(31);
  });

  it('writes one sheet per answer that Excel reads back with typed cells', async () => {
    const buffer = await toXlsx([
      {
        name: 'Aggregate',
        columns: [
          { name: 'unit_name', type: 'VARCHAR' },
          { name: 'value', type: 'DOUBLE' },
          { name: 'complete', type: 'BOOLEAN' },
        ],
        rows: [['Ngô Quyền', 254, true]],
      },
      { name: 'SQL', columns: [{ name: 'period_start', type: 'DATE' }], rows: [['2025-01-01'], [null]] },
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Aggregate', 'SQL']);
    const first = workbook.getWorksheet('Aggregate')!;
    expect(first.getRow(1).values).toEqual([undefined, 'unit_name', 'value', 'complete']);
    expect(first.getRow(2).values).toEqual([undefined, 'Ngô Quyền', 254, true]);
    expect(typeof first.getCell('B2').value).toBe('number');
    expect(workbook.getWorksheet('SQL')!.getCell('A2').value).toEqual(new Date('2025-01-01T00:00:00Z'));
  });
});
