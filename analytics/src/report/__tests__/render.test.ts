import { parsePeriod } from '@lgr/schema';
import { EngineFigure, ReportInput } from '../model';
import { fill, renderReport, statedCoverage } from '../render';
import { parseTemplate, reportTemplate, templateIndicators } from '../template';

const full = { value: 1, target: 1, yearToDate: 1, samePeriod: 1 };

function figure(indicator: string, period: string, values: Partial<EngineFigure>): EngineFigure {
  return {
    indicator,
    period,
    value: null,
    target: null,
    achievementPct: null,
    samePeriodValue: null,
    samePeriodPct: null,
    complete: true,
    coverage: full,
    ...values,
  };
}

/** The seed report's figures for Ngô Quyền, 2025S1, as the engine computes them from the demo data. */
function seedFigures(overrides: Record<string, Partial<EngineFigure>> = {}): Map<string, EngineFigure> {
  const list = [
    figure('PB_CONGRESSES_HELD', '2025S1', { value: 36, target: 36, achievementPct: 100 }),
    figure('PB_NEW_MEMBERS', '2025S1', {
      value: 254,
      target: 271,
      achievementPct: (100 * 254) / 271,
      samePeriodValue: 124,
      samePeriodPct: (100 * 254) / 124,
    }),
    figure('PB_ORGS_ESTABLISHED', '2025S1', { value: 5, target: 4, achievementPct: 125 }),
    figure('EB_BUDGET_REV', '2025S1', {
      value: 820800,
      target: 1520000,
      achievementPct: 54,
      samePeriodValue: 414756,
      samePeriodPct: (100 * 820800) / 414756,
    }),
    figure('EB_NONSTATE_TAX', '2025S1', {
      value: 174933,
      target: 310000,
      achievementPct: (100 * 174933) / 310000,
      samePeriodValue: 153047,
      samePeriodPct: (100 * 174933) / 153047,
    }),
    figure('SS_NEAR_POOR_HH', '2025S1', { value: 0 }),
    figure('DF_MIL_RECRUITS', '2025S1', { value: 84, target: 84, achievementPct: 100 }),
    figure('PB_THEMATIC_RESOLUTIONS', '2020-2025', { value: 3 }),
  ].map((f) => ({ ...f, ...(overrides[f.indicator] ?? {}) }));
  return new Map(list.map((f) => [`${f.indicator}|${f.period}`, f]));
}

function input(lang: 'vi' | 'en', figures = seedFigures()): ReportInput {
  return {
    lang,
    unit: {
      id: '304@2000-01-01',
      code: '304',
      name: 'Ngô Quyền',
      fullName: 'Quận Ngô Quyền',
      nameEn: 'Ngo Quyen District',
      level: 'DISTRICT',
    },
    period: parsePeriod('2025S1'),
    term: parsePeriod('2020-2025'),
    figures,
    resolution: { total: 16, completed: 16, outstanding: 5, notCompleted: 0 },
    indicatorNames: new Map([
      ['PB_NEW_MEMBERS', lang === 'vi' ? 'Kết nạp đảng viên mới' : 'New Party members admitted'],
    ]),
  };
}

describe('the six-month report', () => {
  it("writes the seed report's sentences in Vietnamese, with Vietnamese number formatting", () => {
    const report = renderReport(input('vi'));
    expect(report.title).toBe('Báo cáo kết quả 6 tháng đầu năm 2025 của Đảng bộ quận Ngô Quyền');
    expect(report.text).toContain(
      'Chỉ tiêu kết nạp đảng viên mới đạt 254/271, bằng 93,7% chỉ tiêu năm, thành lập mới 5/4 tổ chức đảng, bằng 125% chỉ tiêu năm.',
    );
    expect(report.text).toContain(
      'Thu ngân sách nhà nước trên địa bàn đạt 54% dự toán, bằng 197,9% so với cùng kỳ; thu thuế công thương nghiệp ngoài quốc doanh đạt 56,43% dự toán, bằng 114,3% so với cùng kỳ.',
    );
    expect(report.text).toContain('Trên địa bàn không còn hộ cận nghèo, hoàn thành 100% chỉ tiêu giao quân (84/84).');
    expect(report.text).toContain(
      'Trong nhiệm kỳ 2020 - 2025, Đảng bộ quận Ngô Quyền đã hoàn thành 16/16 chỉ tiêu Nghị quyết Đại hội, trong đó có 05 chỉ tiêu hoàn thành vượt mức, ban hành 03 nghị quyết chuyên đề.',
    );
    expect(report.provisional).toBe(false);
  });

  it('writes the same figures in English', () => {
    const report = renderReport(input('en'));
    expect(report.title).toBe('Report on the first 6 months of 2025: the Ngo Quyen District Party Committee');
    expect(report.text).toContain(
      "The target of admitting new Party members reached 254/271, equal to 93.7% of the year's target, establishing 5/4 Party organisations, equal to 125% of the year's target.",
    );
    expect(report.text).toContain(
      'State budget revenue in the area reached 54% of the estimate, equal to 197.9% of the same period; non-state tax revenue reached 56.43%, equal to 114.3% of the same period.',
    );
    expect(report.text).toContain(
      'In the 2020 - 2025 term, the Ngo Quyen District Party Committee has completed 16/16 targets of the Congress Resolution, of which 05 targets were outstandingly completed',
    );
    const members = report.sections[0]!.paragraphs[1]!.figures[0]!;
    expect(members).toMatchObject({ key: 'PB_NEW_MEMBERS', value: 254, target: 271, provisional: false, coverage: 1 });
  });

  it('marks a figure whose coverage is below 1 as provisional, with how much was reported', () => {
    const partial = seedFigures({
      PB_NEW_MEMBERS: { coverage: { value: 2 / 114, target: 1, yearToDate: 2 / 114, samePeriod: 1 } },
    });
    const vi = renderReport(input('vi', partial));
    expect(vi.text).toContain('đạt 254/271, bằng 93,7% chỉ tiêu năm (số liệu tạm tính: đã báo cáo 1,7%)');
    expect(vi.provisional).toBe(true);
    const en = renderReport(input('en', partial));
    expect(en.text).toContain("equal to 93.7% of the year's target (provisional: 1.7% reported)");
    expect(en.sections[0]!.paragraphs[1]!.provisional).toBe(true);
    expect(en.sections[0]!.paragraphs[0]!.provisional).toBe(false);
  });

  it('marks a figure that lost a part to a boundary change as provisional', () => {
    const incomplete = seedFigures({ DF_MIL_RECRUITS: { complete: false } });
    expect(renderReport(input('en', incomplete)).text).toContain(
      'completing 100% of military recruitment targets (84/84) (provisional)',
    );
  });

  it('says a figure is missing instead of writing 0', () => {
    const missing = seedFigures({ PB_NEW_MEMBERS: { value: null, achievementPct: null } });
    const text = renderReport(input('en', missing)).text;
    expect(text).toContain('New Party members admitted: no figure reported yet');
    expect(text).not.toContain('reached 0/');
  });

  it('takes coverage only from the numbers a clause states', () => {
    const f = figure('X', '2025S1', { coverage: { value: 1, target: 0.5, yearToDate: 0.9, samePeriod: 0.2 } });
    expect(statedCoverage(f, ['value'])).toBe(1);
    expect(statedCoverage(f, ['achievementPct'])).toBe(0.5);
    expect(statedCoverage(f, ['samePeriodPct'])).toBe(0.2);
    expect(statedCoverage({ ...f, coverage: null }, ['value'])).toBeNull();
  });

  it("fills placeholders with the language's formats", () => {
    const vi = { decimalSeparator: ',', groupSeparator: '.' };
    expect(fill('{a}/{b}, {cPct}, {d:pad2}, {missing}', { a: 1520000, b: 2, cPct: 93.7269, d: 5 }, vi)).toBe(
      '1.520.000/2, 93,7%, 05, {missing}',
    );
  });

  it("asks the engine for the template's indicators, by period", () => {
    const wanted = templateIndicators(reportTemplate('vi'));
    expect(wanted.report).toEqual(
      expect.arrayContaining(['PB_NEW_MEMBERS', 'EB_BUDGET_REV', 'EB_NONSTATE_TAX', 'DF_MIL_RECRUITS']),
    );
    expect(wanted.term).toEqual(['PB_THEMATIC_RESOLUTIONS']);
    expect(templateIndicators(reportTemplate('en'))).toEqual(wanted);
  });

  it('refuses a template file that lacks a field, naming it', () => {
    expect(() => parseTemplate({ lang: 'vi' }, 'broken.json')).toThrow(/broken.json is not valid: decimalSeparator/);
  });
});
