import { currentCatalog, Identity } from '@lgr/kit';
import {
  clientError,
  ErrorCode,
  findIndicator,
  parsePeriod,
  Period,
  periodContaining,
  PeriodFormatError,
} from '@lgr/schema';
import { AggregateServices, computeAggregate } from '../aggregate/service';
import { EngineFigure, Report, ReportUnit } from './model';
import { fetchResolutionSummary, PartySource } from './party-targets';
import { renderReport } from './render';
import { ReportLanguage, reportTemplate, templateIndicators } from './template';

/** What writing a report needs: the aggregate service (one arithmetic) and the Party subgraph. */
export interface ReportServices {
  readonly aggregate: AggregateServices;
  readonly party: PartySource;
}

export interface ReportRequest {
  readonly unit: string;
  readonly period: string;
  readonly lang: ReportLanguage;
  readonly boundariesAsOf?: string | null;
}

function reportPeriod(code: string): Period {
  try {
    return parsePeriod(code);
  } catch (error) {
    const reason = error instanceof PeriodFormatError ? error.message : String(error);
    throw clientError(ErrorCode.INVALID_PERIOD, `Argument "period": ${reason}`, { argument: 'period', period: code });
  }
}

/** The figures of some indicators for one unit and period, computed as `aggregate` computes them for the caller. */
async function engineFigures(
  services: AggregateServices,
  identity: Identity,
  request: ReportRequest,
  indicators: string[],
  period: string,
): Promise<(EngineFigure & { unitId: string })[]> {
  if (!indicators.length) return [];
  const answer = await computeAggregate(services, identity, {
    indicators,
    units: [request.unit],
    periods: [period],
    ...(request.boundariesAsOf ? { boundariesAsOf: request.boundariesAsOf } : {}),
  });
  return answer.rows.map((row) => ({
    ...row,
    coverage: 'coverage' in row ? (row.coverage as EngineFigure['coverage']) : null,
  }));
}

/**
 * Writes the figures section of a unit's report for a period in one language: the template's
 * indicators from the aggregate engine (within the caller's scope, the same numbers `aggregate`
 * gives), the Congress-resolution targets of the term from the Party subgraph, as the caller.
 */
export async function composeReport(
  services: ReportServices,
  identity: Identity,
  request: ReportRequest,
): Promise<Report> {
  const period = reportPeriod(request.period);
  const term = periodContaining(period.endMonth, 'TERM');
  const template = reportTemplate(request.lang);
  const wanted = templateIndicators(template);
  const [own, ofTerm] = await Promise.all([
    engineFigures(services.aggregate, identity, request, wanted.report, period.code),
    term ? engineFigures(services.aggregate, identity, request, wanted.term, term.code) : Promise.resolve([]),
  ]);
  const unitId = own[0]?.unitId ?? ofTerm[0]?.unitId;
  const version = unitId ? currentCatalog(services.aggregate.catalog).get(unitId) : undefined;
  if (!unitId || !version)
    throw clientError(
      ErrorCode.UNIT_NOT_FOUND,
      `Argument "unit": no unit "${request.unit}" on the report's boundaries`,
      { argument: 'unit', unit: request.unit },
    );
  const unit: ReportUnit = {
    id: version.id,
    code: version.code,
    name: version.name,
    fullName: version.fullName,
    nameEn: version.nameEn,
    level: version.level,
  };
  const resolution = term ? await fetchResolutionSummary(services.party, identity, unit.id, term.code) : null;
  const figures = new Map([...own, ...ofTerm].map((f) => [`${f.indicator}|${f.period}`, f]));
  const indicatorNames = new Map(
    [...wanted.report, ...wanted.term].map((code) => {
      const indicator = findIndicator(code);
      return [code, (request.lang === 'vi' ? indicator?.nameVi : indicator?.nameEn) ?? code];
    }),
  );
  return renderReport({ lang: request.lang, unit, period, term, figures, resolution, indicatorNames }, template);
}
