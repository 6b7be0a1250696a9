import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';

/** The languages a report is written in, as GraphQL names them. */
export enum ReportLanguageEnum {
  VI = 'vi',
  EN = 'en',
}

let registered = false;

/** Registers the report's enum once per process. */
export function registerReportEnums(): void {
  if (registered) return;
  registered = true;
  registerEnumType(ReportLanguageEnum, {
    name: 'ReportLanguage',
    description: 'VI (Vietnamese, the language of the reports) or EN (English)',
  });
}

@ObjectType('ReportFigure', {
  description: 'A figure a paragraph of a report states, with how much of it was reported',
})
export class ReportFigureType {
  @Field(() => String, {
    description: "An indicator code, or CONGRESS_RESOLUTION_TARGETS for the Party subgraph's targets of the term",
  })
  key!: string;

  @Field(() => String)
  period!: string;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => Float, { nullable: true })
  target!: number | null;

  @Field(() => Float, { nullable: true })
  achievementPct!: number | null;

  @Field(() => Float, { nullable: true })
  samePeriodValue!: number | null;

  @Field(() => Float, { nullable: true })
  samePeriodPct!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Targets completed outstandingly (Congress-resolution targets only)',
  })
  outstanding!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The smallest coverage (0 to 1) among the numbers stated; null when not known',
  })
  coverage!: number | null;

  @Field(() => Boolean)
  complete!: boolean;

  @Field(() => Boolean, { description: 'True when the numbers stated are not fully reported yet' })
  provisional!: boolean;
}

@ObjectType('ReportParagraph', { description: 'One paragraph of a report and the figures it states' })
export class ReportParagraphType {
  @Field(() => String)
  text!: string;

  @Field(() => Boolean)
  provisional!: boolean;

  @Field(() => [ReportFigureType])
  figures!: ReportFigureType[];
}

@ObjectType('ReportSection', { description: 'A section of a report: a heading and its paragraphs' })
export class ReportSectionType {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  heading!: string;

  @Field(() => [ReportParagraphType])
  paragraphs!: ReportParagraphType[];

  @Field(() => String, { description: 'The paragraphs as one text, a blank line between them' })
  text!: string;
}

@ObjectType('Report', {
  description: "The figures section of a unit's report for a period, written from the platform's own figures",
})
export class ReportType {
  @Field(() => ReportLanguageEnum)
  lang!: ReportLanguageEnum;

  @Field(() => String)
  unitCode!: string;

  @Field(() => String, { description: 'The unit version the report is about' })
  unitId!: string;

  @Field(() => String)
  unitName!: string;

  @Field(() => String)
  period!: string;

  @Field(() => String, { description: 'The period in words, e.g. "6 tháng đầu năm 2025"' })
  periodLabel!: string;

  @Field(() => String, { nullable: true, description: 'The congress term containing the period' })
  term!: string | null;

  @Field(() => String)
  title!: string;

  @Field(() => [ReportSectionType])
  sections!: ReportSectionType[];

  @Field(() => Boolean, { description: 'True when any figure stated is provisional (coverage below 1)' })
  provisional!: boolean;

  @Field(() => String, { description: 'The title and every section as plain text' })
  text!: string;
}
