import type { Level, Period } from '@lgr/schema';
import type { ReportLanguage } from './template';

/** How much of a figure was reported (DESIGN.md rule 9), from 0 to 1; null where it does not apply. */
export interface FigureCoverage {
  readonly value: number | null;
  readonly target: number | null;
  readonly yearToDate: number | null;
  readonly samePeriod: number | null;
}

/** One figure as the aggregate engine answered it. */
export interface EngineFigure {
  readonly indicator: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodValue: number | null;
  readonly samePeriodPct: number | null;
  readonly complete: boolean;
  /** Absent when the engine does not give coverage. */
  readonly coverage?: FigureCoverage | null;
}

/** The Party subgraph's summary of a term's Congress-resolution targets. */
export interface ResolutionSummary {
  readonly total: number;
  readonly completed: number;
  readonly outstanding: number;
  readonly notCompleted: number;
}

/** The unit a report is about, as the catalogue names it. */
export interface ReportUnit {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly fullName: string;
  readonly nameEn: string;
  readonly level: Level;
}

/** Everything a report is written from: every number comes from the platform's own answers. */
export interface ReportInput {
  readonly lang: ReportLanguage;
  readonly unit: ReportUnit;
  readonly period: Period;
  /** The congress term containing the period's last month, if any. */
  readonly term: Period | undefined;
  /** Figures by `indicator|period`. */
  readonly figures: ReadonlyMap<string, EngineFigure>;
  readonly resolution: ResolutionSummary | null;
  /** Indicator names in the report's language, by code. */
  readonly indicatorNames: ReadonlyMap<string, string>;
}

/** A figure a paragraph states, with how much of it was reported. */
export interface ReportFigure {
  /** An indicator code, or CONGRESS_RESOLUTION_TARGETS for the Party subgraph's targets. */
  readonly key: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
  readonly achievementPct: number | null;
  readonly samePeriodValue: number | null;
  readonly samePeriodPct: number | null;
  /** Targets completed outstandingly (Congress-resolution targets only). */
  readonly outstanding: number | null;
  /** The smallest coverage among the numbers the paragraph states; null when not known. */
  readonly coverage: number | null;
  readonly complete: boolean;
  /** True when the numbers stated are not yet fully reported (coverage below 1 or a figure lost). */
  readonly provisional: boolean;
}

export interface ReportParagraph {
  readonly text: string;
  readonly provisional: boolean;
  readonly figures: readonly ReportFigure[];
}

export interface ReportSection {
  readonly key: string;
  readonly heading: string;
  readonly paragraphs: readonly ReportParagraph[];
  /** The section's paragraphs as one text, a blank line between them. */
  readonly text: string;
}

/** The figures section of a report, written in one language. */
export interface Report {
  readonly lang: ReportLanguage;
  readonly unitCode: string;
  readonly unitId: string;
  readonly unitName: string;
  readonly period: string;
  readonly periodLabel: string;
  readonly term: string | null;
  readonly title: string;
  readonly sections: readonly ReportSection[];
  /** True when any figure stated is provisional. */
  readonly provisional: boolean;
  /** The title and every section as plain text. */
  readonly text: string;
}
