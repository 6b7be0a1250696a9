import { formatNumber, formatPercent, formatShare, NumberStyle } from '@lgr/schema';

/** A report as the analytics subgraph's `report` field answers it (the fields the documents show). */
export interface ReportDocument {
  readonly lang: 'VI' | 'EN';
  readonly unitCode: string;
  readonly unitName: string;
  readonly period: string;
  readonly periodLabel: string;
  readonly title: string;
  readonly provisional: boolean;
  readonly sections: readonly {
    readonly key: string;
    readonly heading: string;
    readonly paragraphs: readonly {
      readonly text: string;
      readonly provisional: boolean;
      readonly figures: readonly ReportDocumentFigure[];
    }[];
  }[];
}

export interface ReportDocumentFigure {
  readonly key: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodPct: number | null;
  readonly coverage: number | null;
  readonly provisional: boolean;
}

/** The one operation behind `GET /reports/{unit}/{period}`: the same report any GraphQL client gets. */
export const REPORT_OPERATION = `query GatewayReport($unit: String!, $period: String!, $lang: ReportLanguage!) {
  report(unit: $unit, period: $period, lang: $lang) {
    lang unitCode unitName period periodLabel title provisional
    sections { key heading paragraphs { text provisional figures { key period value target achievementPct samePeriodPct coverage provisional } } }
  }
}`;

/** The words around the figures section, per language (the figures' own wording is the analytics templates'). */
export const DOCUMENT_WORDS = {
  vi: {
    figures: 'Bảng số liệu',
    indicator: 'Chỉ tiêu',
    period: 'Kỳ',
    value: 'Giá trị',
    target: 'Kế hoạch',
    achievement: 'Đạt',
    samePeriod: 'So cùng kỳ',
    coverage: 'Mức độ báo cáo',
    provisional: 'Tạm tính',
    note: 'Số liệu do nền tảng báo cáo tính theo quy tắc tổng hợp thống nhất; số liệu đánh dấu "tạm tính" chưa được báo cáo đầy đủ.',
  },
  en: {
    figures: 'Figures',
    indicator: 'Indicator',
    period: 'Period',
    value: 'Value',
    target: 'Target',
    achievement: 'Achievement',
    samePeriod: 'Of same period',
    coverage: 'Coverage',
    provisional: 'Provisional',
    note: 'Figures computed by the reporting platform by its single set of rollup rules; figures marked "provisional" are not fully reported yet.',
  },
} as const;

export type DocumentLanguage = keyof typeof DOCUMENT_WORDS;

const STYLES: Record<DocumentLanguage, NumberStyle> = {
  vi: { decimalSeparator: ',', groupSeparator: '.' },
  en: { decimalSeparator: '.', groupSeparator: ',' },
};

/** A number of the documents' table as the report's text writes it ("93,7" / "93.7"); missing is a dash. */
export function documentNumber(value: number | null, lang: DocumentLanguage): string {
  return value === null ? '—' : formatNumber(value, STYLES[lang]);
}

/** A percentage of the documents' table ("93,7%"); missing is a dash. */
export function documentPercent(value: number | null, lang: DocumentLanguage): string {
  return value === null ? '—' : formatPercent(value, STYLES[lang]);
}

/** A coverage share of the documents' table, rounded down ("1,7%"); unknown is a dash. */
export function documentShare(value: number | null, lang: DocumentLanguage): string {
  return value === null ? '—' : formatShare(value, STYLES[lang]);
}
