import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestRow, parseIngest } from '../ingest-format';
import { IngestFileError, streamIngest } from '../ingest-stream';

const HEADER = 'indicator,unit,period,value,target';

/** Files whose rows the stream must read exactly as the whole-text parser does. */
const FILES: Record<string, string> = {
  plain: `${HEADER}\nPB_NEW_MEMBERS,304,2025S1,254,\nEB_BUDGET_REV,304,2025,,410000\n`,
  'comments, empty lines, CRLF and a BOM': `\uFEFF# figures of 2025\r\n${HEADER}\r\n\r\nPB_NEW_MEMBERS,304,2025S1,254,\r\n# a note\r\nPB_BADGES,304,2025S1,3,\r\n`,
  'quoted fields, escaped quotes, a field over two lines': `${HEADER},error\nPB_NEW_MEMBERS,"304",2025S1,"254",,"line 2: ""quoted"", reason"\nPB_BADGES,"30\n4",2025S1,1,,\nPB_BADGES,305,2025S1,2,,x\n`,
  'wrong column counts and bad numbers': `${HEADER}\nPB_NEW_MEMBERS,304,2025S1\nPB_NEW_MEMBERS,304,2025S1,abc,,extra\nPB_NEW_MEMBERS,304,2025S1,1e3,\n`,
  'no final newline, spaces kept': `${HEADER}\n PB_NEW_MEMBERS , 304 ,2025S1, 7 ,`,
  // Some 200 KB: line ends, CR LF pairs and quoted fields over two lines fall on the ends of the
  // chunks the file is read in.
  'many chunks, CR LF and quoted line breaks': `${HEADER}\r\n${Array.from({ length: 6000 }, (_, i) =>
    i % 7 === 0 ? `PB_BADGES,"30\n${i}",2025S1,${i},` : `PB_NEW_MEMBERS,${i},2025S1,${i},`,
  ).join('\r\n')}\r\n`,
};

describe('streamIngest', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lgr-stream-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const streamed = async (name: string, text: string): Promise<IngestRow[]> => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(file, text);
    const rows: IngestRow[] = [];
    for await (const row of streamIngest(file, 'csv')) rows.push(row);
    return rows;
  };

  it.each(Object.entries(FILES))('reads %s as parseIngest does', async (name, text) => {
    const whole = parseIngest(text, 'csv');
    expect(whole.fileProblems).toEqual([]);
    expect(await streamed(name, text)).toEqual(whole.rows);
  });

  it('refuses a bad header, an empty file and an open quote, naming the line', async () => {
    const problem = async (name: string, text: string) =>
      streamed(name, text).then(
        () => undefined,
        (e: unknown) => (e instanceof IngestFileError ? e.problems[0] : e),
      );
    expect(await problem('header', 'indicator,unit,period,amount\nPB_NEW_MEMBERS,304,2025S1,1\n')).toMatchObject({
      line: 1,
      field: 'header',
    });
    expect(await problem('empty', '')).toMatchObject({ field: 'header', message: expect.stringContaining('empty') });
    expect(await problem('open', `${HEADER}\nPB_NEW_MEMBERS,304,2025S1,1,\nPB_BADGES,"304,2025S1,1,\n`)).toMatchObject({
      line: 3,
      field: 'row',
      message: expect.stringContaining('not valid CSV'),
    });
  });
});
