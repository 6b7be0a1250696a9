import { detectFormat, formatRejects, parseIngest } from '../ingest-format';

describe('ingest format', () => {
  it('reads CSV with a BOM, CRLF line ends, comments, quoted fields and any column order, keeping line numbers', () => {
    const text =
      '\uFEFF# a comment\r\nunit,indicator,period,target,value\r\n304,PB_NEW_MEMBERS,2025S1,,254\r\n\r\n"304",PB_NEW_MEMBERS,2025,271,\r\n';
    const parsed = parseIngest(text, 'csv');
    expect(parsed.fileProblems).toEqual([]);
    expect(parsed.rows.map((r) => [r.line, r.record])).toEqual([
      [3, { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S1', value: 254, target: null }],
      [5, { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025', value: null, target: 271 }],
    ]);
  });

  it('numbers a record that spans lines by the line it starts on', () => {
    const parsed = parseIngest(
      'indicator,unit,period,value,target\n"PB_NEW\nMEMBERS",304,2025S1,1,\nPB_NEW_MEMBERS,304,abc,x,\n',
      'csv',
    );
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(parsed.rows[0]!.problems).toEqual([
      { line: 2, field: 'indicator', message: expect.stringContaining('unknown indicator') },
    ]);
    expect(parsed.rows[1]!.problems).toEqual([
      { line: 4, field: 'value', message: expect.stringContaining('got "x"') },
    ]);
  });

  it('reports every local problem of a row: empty fields, numbers, unknown indicator, column count', () => {
    const parsed = parseIngest(
      'indicator,unit,period,value,target\nNOPE,,2025S1,1e400,1 000\n,304,,,\nPB_NEW_MEMBERS,304,2025S1\nPB_NEW_MEMBERS,304,2025S1,,\n',
      'csv',
    );
    expect(parsed.rows.map((r) => r.problems.map((p) => `${p.line}:${p.field}`))).toEqual([
      ['2:indicator', '2:unit', '2:value', '2:target'],
      ['3:indicator', '3:period'],
      ['4:row'],
      ['5:value'],
    ]);
    expect(parsed.rows[0]!.problems[2]!.message).toContain('1e400');
    expect(parsed.rows[3]!.problems[0]!.message).toBe('expected a value, a target or both; both are empty');
  });

  it('refuses a file without the ingest columns as a whole, naming what is missing and what is unknown', () => {
    expect(parseIngest('indicator,unit,period,amount\nPB_NEW_MEMBERS,304,2025S1,1\n', 'csv').fileProblems).toEqual([
      {
        line: 1,
        field: 'header',
        message: 'expected the columns indicator,unit,period,value,target; missing value, target; unknown amount',
      },
    ]);
    expect(parseIngest('', 'csv').fileProblems[0]!.field).toBe('header');
    expect(parseIngest('indicator,unit\n"open', 'csv').fileProblems[0]!.message).toContain('not valid CSV');
  });

  it('accepts the error column of a rejects file, so a corrected rejects file can be ingested again', () => {
    const rejects = formatRejects('csv', [
      {
        fields: { indicator: 'PB_NEW_MEMBERS', unit: '304', period: '2025S3', value: '1', target: '' },
        reasons: ['line 2: period: bad, "really"'],
      },
    ]);
    expect(rejects).toBe(
      'indicator,unit,period,value,target,error\nPB_NEW_MEMBERS,304,2025S3,1,,"line 2: period: bad, ""really"""\n',
    );
    const again = parseIngest(rejects.replace('2025S3', '2025S1'), 'csv');
    expect(again.fileProblems).toEqual([]);
    expect(again.rows[0]!.record).toEqual({
      indicator: 'PB_NEW_MEMBERS',
      unit: '304',
      period: '2025S1',
      value: 1,
      target: null,
    });
  });

  it('reads JSON lines with numbers or numeric strings, and names bad lines', () => {
    const text = [
      '{"indicator":"PB_NEW_MEMBERS","unit":"304","period":"2025S1","value":254}',
      '',
      '{"indicator":"PB_NEW_MEMBERS","unit":304,"period":"2025","target":"271"}',
      '[1,2]',
      '{"indicator":"PB_NEW_MEMBERS","unit":"304","period":"2025","target":271,"note":"x"}',
      '{"indicator":"PB_NEW_MEMBERS","unit":"304","period":"2025","value":true}',
    ].join('\n');
    const parsed = parseIngest(text, 'jsonl');
    expect(parsed.rows.map((r) => r.line)).toEqual([1, 3, 4, 5, 6]);
    expect(parsed.rows[0]!.record).toEqual({
      indicator: 'PB_NEW_MEMBERS',
      unit: '304',
      period: '2025S1',
      value: 254,
      target: null,
    });
    expect(parsed.rows[1]!.record).toEqual({
      indicator: 'PB_NEW_MEMBERS',
      unit: '304',
      period: '2025',
      value: null,
      target: 271,
    });
    expect(parsed.rows.slice(2).map((r) => r.problems.map((p) => p.field))).toEqual([['row'], ['row'], ['value']]);
    expect(parsed.rows[3]!.problems[0]!.message).toContain('note');
  });

  it('picks the format from the extension, else from the content', () => {
    expect(detectFormat('a.CSV', '{')).toBe('csv');
    expect(detectFormat('a.jsonl', 'indicator')).toBe('jsonl');
    expect(detectFormat('a.ndjson', '')).toBe('jsonl');
    expect(detectFormat('data', '\uFEFF  {"indicator":1}')).toBe('jsonl');
    expect(detectFormat('data.txt', 'indicator,unit')).toBe('csv');
  });
});
