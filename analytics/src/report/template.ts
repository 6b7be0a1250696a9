import { z } from 'zod';
import en from './templates/en.json';
import vi from './templates/vi.json';

/** The languages a report is written in. */
export const REPORT_LANGUAGES = ['vi', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

const clause = z.union([
  z.object({
    /** An indicator computed by the aggregate engine for the report's period (or the term containing it). */
    indicator: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    period: z.enum(['report', 'term']).default('report'),
    text: z.string().min(1),
    /** Said instead of `text` when the value is 0 ("there are no more near-poor households"). */
    ifZero: z.string().optional(),
  }),
  z.object({
    /** The Party subgraph's Congress-resolution targets of the term containing the report's period. */
    source: z.literal('resolutionTargets'),
    text: z.string().min(1),
  }),
]);

const templateSchema = z.object({
  lang: z.enum(REPORT_LANGUAGES),
  decimalSeparator: z.string().length(1),
  groupSeparator: z.string().length(1),
  title: z.string(),
  unitBody: z.object({ PROVINCE: z.string(), DISTRICT: z.string(), COMMUNE: z.string() }),
  periodLabels: z.object({
    SIX_MONTH_1: z.string(),
    SIX_MONTH_2: z.string(),
    YEAR: z.string(),
    QUARTER: z.string(),
    MONTH: z.string(),
    TERM: z.string(),
  }),
  /** Said after a figure whose coverage is below 1, with `{coverage}`. */
  provisional: z.string(),
  /** Said after a figure that lost a part to a boundary change (rule 4), whatever its coverage. */
  provisionalIncomplete: z.string(),
  missing: z.string(),
  resolutionMissing: z.string(),
  sections: z
    .array(
      z.object({
        key: z.string().min(1),
        heading: z.string().min(1),
        paragraphs: z.array(z.object({ separator: z.string().default(', '), clauses: z.array(clause).min(1) })).min(1),
      }),
    )
    .min(1),
});

/** A report template: the wording of one language, with placeholders for the platform's figures. */
export type ReportTemplate = z.infer<typeof templateSchema>;
export type TemplateClause = z.infer<typeof clause>;
export type IndicatorClause = Extract<TemplateClause, { indicator: string }>;

/** Checks a template's shape; a broken template file fails here, naming the field. */
export function parseTemplate(data: unknown, name: string): ReportTemplate {
  const parsed = templateSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Report template ${name} is not valid: ${problems}`);
  }
  return parsed.data;
}

const TEMPLATES: Record<ReportLanguage, ReportTemplate> = {
  vi: parseTemplate(vi, 'vi.json'),
  en: parseTemplate(en, 'en.json'),
};

/** The template of a language (the files under templates/, checked when the service loads). */
export function reportTemplate(lang: ReportLanguage): ReportTemplate {
  return TEMPLATES[lang];
}

/** Every indicator a template asks the engine for, by the period it is asked for. */
export function templateIndicators(template: ReportTemplate): { report: string[]; term: string[] } {
  const report = new Set<string>();
  const term = new Set<string>();
  for (const section of template.sections) {
    for (const paragraph of section.paragraphs) {
      for (const c of paragraph.clauses) {
        if ('indicator' in c) (c.period === 'term' ? term : report).add(c.indicator);
      }
    }
  }
  return { report: [...report], term: [...term] };
}
