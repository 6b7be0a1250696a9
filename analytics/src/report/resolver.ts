import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { DateScalar } from '@lgr/kit';
import { clientError, ErrorCode } from '@lgr/schema';
import type { AnalyticsContext } from '../graphql/context';
import { ReportLanguageEnum, ReportType } from './graphql-types';
import { composeReport } from './service';

@Resolver()
export class ReportResolver {
  @Query(() => ReportType, {
    nullable: true,
    description:
      "The figures section of a unit's report for a period (e.g. the six-month report of 2025S1), written from a template per language with the figures `aggregate` gives and the Party subgraph's Congress-resolution targets; a figure not fully reported is marked provisional",
  })
  async report(
    @Arg('unit', () => String, { description: 'A unit code (resolved on the boundaries date) or a unit version id' })
    unit: string,
    @Arg('period', () => String, { description: 'A period code such as 2025S1' }) period: string,
    @Arg('lang', () => ReportLanguageEnum, { defaultValue: ReportLanguageEnum.VI }) lang: ReportLanguageEnum,
    @Arg('boundariesAsOf', () => DateScalar, { nullable: true, description: 'Default: the last day of the period' })
    boundariesAsOf: string | null | undefined,
    @Ctx() ctx: AnalyticsContext,
  ): Promise<ReportType> {
    if (unit.length > 64)
      throw clientError(
        ErrorCode.BAD_USER_INPUT,
        'Argument "unit": expected a unit code or version id of at most 64 characters',
        { argument: 'unit' },
      );
    const report = await composeReport(ctx.reports, ctx.identity, {
      unit,
      period,
      lang,
      boundariesAsOf: boundariesAsOf ?? null,
    });
    // The report's readonly lists are what the GraphQL type lists; the enum's values are the languages.
    return report as unknown as ReportType;
  }
}
