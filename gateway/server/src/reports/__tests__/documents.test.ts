import JSZip from 'jszip';
import { reportDocx } from '../docx';
import { escapeHtml, reportHtml } from '../html';
import { ReportDocument } from '../report-query';

const REPORT: ReportDocument = {
  lang: 'VI',
  unitCode: '304',
  unitName: 'Quận Ngô Quyền',
  period: '2025S1',
  periodLabel: '6 tháng đầu năm 2025',
  title: 'Báo cáo kết quả 6 tháng đầu năm 2025 của Đảng bộ quận Ngô Quyền',
  provisional: true,
  sections: [
    {
      key: 'party',
      heading: 'Công tác xây dựng Đảng',
      paragraphs: [
        {
          text: 'Chỉ tiêu kết nạp đảng viên mới đạt 254/271, bằng 93,7% chỉ tiêu năm <b>.',
          provisional: false,
          figures: [
            {
              key: 'PB_NEW_MEMBERS',
              period: '2025S1',
              value: 254,
              target: 271,
              achievementPct: 93.726937,
              samePeriodPct: null,
              coverage: 1,
              provisional: false,
            },
          ],
        },
        {
          text: 'Thu ngân sách đạt 54% dự toán (số liệu tạm tính: đã báo cáo 1,7%).',
          provisional: true,
          figures: [
            {
              key: 'EB_BUDGET_REV',
              period: '2025S1',
              value: 820800,
              target: null,
              achievementPct: 54,
              samePeriodPct: 197.899,
              coverage: 2 / 114,
              provisional: true,
            },
          ],
        },
      ],
    },
  ],
};

describe('report documents', () => {
  it('writes a printable page with every paragraph, escaped, and the figures in Vietnamese formats', () => {
    const html = reportHtml(REPORT, 'vi');
    expect(html).toContain('<h1>Báo cáo kết quả 6 tháng đầu năm 2025 của Đảng bộ quận Ngô Quyền</h1>');
    expect(html).toContain('đạt 254/271, bằng 93,7% chỉ tiêu năm &lt;b&gt;.');
    expect(html).toContain('<p class="provisional">Thu ngân sách');
    expect(html).toContain(
      '<td class="num">820.800</td><td class="num">—</td><td class="num">54%</td><td class="num">197,9%</td><td class="num">1,7%</td><td>Tạm tính</td>',
    );
    expect(html).not.toMatch(/<(script|link)\b/);
    expect(escapeHtml(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
  });

  it('writes a Word document holding the same text', async () => {
    const zip = await JSZip.loadAsync(await reportDocx(REPORT, 'en'));
    const text = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    expect(text).toContain('Báo cáo kết quả 6 tháng đầu năm 2025');
    expect(text).toContain('254/271, bằng 93,7%');
    expect(text).toContain('820,800');
    expect(text).toContain('Provisional');
  });
});
