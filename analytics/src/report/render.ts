import { formatNumber, formatPadded, formatPercent, formatShare, NumberStyle, Period } from '@lgr/schema';
import {
  EngineFigure,
  FigureCoverage,
  Report,
  ReportFigure,
  ReportInput,
  ReportParagraph,
  ReportSection,
} from './model';
import { IndicatorClause, ReportTemplate, reportTemplate, TemplateClause } from './template';

const PLACEHOLDER = /\{([A-Za-z]+)(?::([a-z0-9]+))?\}/g;

/** Fills `{name}` and `{name:pad2}` placeholders; a name without a value is left as it is. */
export function fill(
  text: string,
  values: Readonly<Record<string, string | number | null | undefined>>,
  style: NumberStyle,
): string {
  return text.replace(PLACEHOLDER, (whole, name: string, format: string | undefined) => {
    const v = values[name];
    if (v === null || v === undefined) return whole;
    if (typeof v === 'string') return v;
    if (format === 'pad2') return formatPadded(v, style);
    return name.endsWith('Pct') ? formatPercent(v, style) : formatNumber(v, style);
  });
}

/** The placeholder names a text uses. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

const ORDINALS = ['first', 'second', 'third', 'fourth'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2020-2025" as reports write it: "2020 - 2025". */
export function termLabel(code: string): string {
  return code.replace('-', ' - ');
}

/** The period in words, from the template's labels: "6 tháng đầu năm 2025", "the first 6 months of 2025". */
export function periodLabel(period: Period, template: ReportTemplate): string {
  const year = period.start.slice(0, 4);
  const month = Number(period.start.slice(5, 7));
  const labels = template.periodLabels;
  const quarter = Math.floor((month - 1) / 3) + 1;
  const values = {
    year,
    month: String(month),
    quarter: String(quarter),
    quarterOrdinal: ORDINALS[quarter - 1],
    monthName: MONTHS[month - 1],
    term: termLabel(period.code),
  };
  const style = { decimalSeparator: template.decimalSeparator, groupSeparator: template.groupSeparator };
  const label =
    period.grain === 'SIX_MONTH'
      ? month === 1
        ? labels.SIX_MONTH_1
        : labels.SIX_MONTH_2
      : labels[period.grain === 'TERM' ? 'TERM' : period.grain];
  return fill(label, values, style);
}

/** The unit's Party committee in words: "Đảng bộ quận Ngô Quyền", "the Ngo Quyen District Party Committee". */
export function unitBody(input: Pick<ReportInput, 'unit'>, template: ReportTemplate): string {
  const { unit } = input;
  const values = {
    unitName: unit.name,
    unitFullName: unit.fullName,
    unitFullNameLower: lowerFirst(unit.fullName),
    unitNameEn: unit.nameEn,
  };
  return fill(template.unitBody[unit.level], values, {
    decimalSeparator: template.decimalSeparator,
    groupSeparator: template.groupSeparator,
  });
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('vi') + text.slice(1);
}

function upperFirst(text: string): string {
  return text.charAt(0).toLocaleUpperCase('vi') + text.slice(1);
}

/** The coverages behind each placeholder: an achievement needs the year to date and the target. */
const COVERAGE_OF: Record<string, readonly (keyof FigureCoverage)[]> = {
  value: ['value'],
  target: ['target'],
  achievementPct: ['yearToDate', 'target'],
  samePeriodValue: ['samePeriod'],
  samePeriodPct: ['value', 'samePeriod'],
};

/** The smallest coverage among what a text states; null when the engine gave none. */
export function statedCoverage(figure: EngineFigure, names: readonly string[]): number | null {
  if (!figure.coverage) return null;
  let least: number | null = null;
  for (const name of names) {
    for (const field of COVERAGE_OF[name] ?? []) {
      const c = figure.coverage[field];
      if (c !== null && (least === null || c < least)) least = c;
    }
  }
  return least;
}

interface RenderedClause {
  readonly text: string;
  readonly figure: ReportFigure | null;
}

function figureKey(clause: IndicatorClause, input: ReportInput): string | undefined {
  const period = clause.period === 'term' ? input.term?.code : input.period.code;
  return period ? `${clause.indicator}|${period}` : undefined;
}

/** One clause about one indicator; a figure the template needs but nobody reported says so. */
function renderIndicatorClause(
  clause: IndicatorClause,
  input: ReportInput,
  template: ReportTemplate,
  style: NumberStyle,
): RenderedClause {
  const key = figureKey(clause, input);
  const figure = key ? input.figures.get(key) : undefined;
  const text = figure && figure.value === 0 && clause.ifZero ? clause.ifZero : clause.text;
  const names = placeholders(text);
  const values: Record<string, number | null> = figure
    ? {
        value: figure.value,
        target: figure.target,
        achievementPct: figure.achievementPct,
        samePeriodValue: figure.samePeriodValue,
        samePeriodPct: figure.samePeriodPct,
      }
    : {};
  if (!figure || names.some((n) => values[n] === null || values[n] === undefined)) {
    const indicatorName = input.indicatorNames.get(clause.indicator) ?? clause.indicator;
    return {
      text: fill(template.missing, { indicatorName }, style),
      figure: figure ? reportFigure(figure, null, false) : null,
    };
  }
  const coverage = statedCoverage(figure, names);
  const provisional = (coverage !== null && coverage < 1) || (!figure.complete && names.length > 0);
  const mark = !provisional
    ? ''
    : coverage !== null && coverage < 1
      ? fill(template.provisional, { coverage: formatShare(coverage, style) }, style)
      : template.provisionalIncomplete;
  return { text: fill(text, values, style) + mark, figure: reportFigure(figure, coverage, provisional) };
}

function reportFigure(figure: EngineFigure, coverage: number | null, provisional: boolean): ReportFigure {
  const { indicator, period, value, target, achievementPct, samePeriodValue, samePeriodPct, complete } = figure;
  return {
    key: indicator,
    period,
    value,
    target,
    achievementPct,
    samePeriodValue,
    samePeriodPct,
    outstanding: null,
    coverage,
    complete,
    provisional,
  };
}

/** The Congress-resolution clause, from the Party subgraph's records of the term. */
function renderResolutionClause(
  text: string,
  input: ReportInput,
  template: ReportTemplate,
  style: NumberStyle,
): RenderedClause {
  const term = input.term ? termLabel(input.term.code) : '';
  const summary = input.resolution;
  if (!input.term || !summary || summary.total === 0)
    return { text: fill(template.resolutionMissing, { term }, style), figure: null };
  const values = {
    term,
    unitBody: unitBody(input, template),
    completed: summary.completed,
    total: summary.total,
    outstanding: summary.outstanding,
  };
  const figure: ReportFigure = {
    key: 'CONGRESS_RESOLUTION_TARGETS',
    period: input.term.code,
    value: summary.completed,
    target: summary.total,
    achievementPct: (100 * summary.completed) / summary.total,
    samePeriodValue: null,
    samePeriodPct: null,
    outstanding: summary.outstanding,
    coverage: null,
    complete: true,
    provisional: false,
  };
  return { text: fill(text, values, style), figure };
}

function renderClause(
  clause: TemplateClause,
  input: ReportInput,
  template: ReportTemplate,
  style: NumberStyle,
): RenderedClause {
  return 'indicator' in clause
    ? renderIndicatorClause(clause, input, template, style)
    : renderResolutionClause(clause.text, input, template, style);
}

/**
 * Writes the figures section of a report from a language's template: each clause states one figure
 * of the platform, a clause whose numbers are not fully reported is marked provisional, and a figure
 * nobody reported is said to be missing (never written as 0).
 */
export function renderReport(input: ReportInput, template: ReportTemplate = reportTemplate(input.lang)): Report {
  const style: NumberStyle = { decimalSeparator: template.decimalSeparator, groupSeparator: template.groupSeparator };
  const sections: ReportSection[] = template.sections.map((section) => {
    const paragraphs: ReportParagraph[] = section.paragraphs.map((p) => {
      const clauses = p.clauses.map((c) => renderClause(c, input, template, style));
      const figures = clauses.flatMap((c) => (c.figure ? [c.figure] : []));
      return {
        text: `${upperFirst(clauses.map((c) => c.text).join(p.separator))}.`,
        provisional: figures.some((f) => f.provisional),
        figures,
      };
    });
    return { key: section.key, heading: section.heading, paragraphs, text: paragraphs.map((p) => p.text).join('\n\n') };
  });
  const label = periodLabel(input.period, template);
  const title = upperFirst(fill(template.title, { periodLabel: label, unitBody: unitBody(input, template) }, style));
  return {
    lang: input.lang,
    unitCode: input.unit.code,
    unitId: input.unit.id,
    unitName: input.lang === 'vi' ? input.unit.fullName : input.unit.nameEn,
    period: input.period.code,
    periodLabel: label,
    term: input.term?.code ?? null,
    title,
    sections,
    provisional: sections.some((s) => s.paragraphs.some((p) => p.provisional)),
    text: [title, ...sections.map((s) => `${s.heading}\n\n${s.text}`)].join('\n\n'),
  };
}
