import type { Express, NextFunction, Request, Response } from 'express';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { clientError, ErrorCode, HTTP_STATUS } from '@lgr/schema';
import { reportDocx } from './docx';
import { reportHtml } from './html';
import type { IdentitySigner } from '@lgr/kit/identity';
import { contextFor, GatewayContext } from '../context';
import { DocumentLanguage, REPORT_OPERATION, ReportDocument } from './report-query';

/** Runs the report operation for the caller of a request (through the gateway's own GraphQL pipeline). */
export type ReportRunner = (
  req: Request,
  variables: { unit: string; period: string; lang: 'VI' | 'EN' },
) => Promise<{ data?: { report?: ReportDocument | null } | null; errors?: readonly GraphQLFormattedError[] }>;

const UNIT = /^[0-9]{2,5}(@\d{4}-\d{2}-\d{2})?$/;
const PERIOD = /^[0-9]{4}([SQ][0-9]|[0-9]{2}|-[0-9]{4})?$/;

function argument(req: Request, name: 'lang' | 'format', allowed: readonly string[], fallback: string): string {
  const raw = req.query[name];
  const value = raw === undefined ? fallback : String(raw);
  if (!allowed.includes(value)) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `Query parameter "${name}": expected ${allowed.join(' or ')}, got "${value.slice(0, 20)}"`,
      { argument: name },
    );
  }
  return value;
}

/** The HTTP status of the first error of an answer: a refusal keeps its registered status (403 out of scope). */
function statusOf(errors: readonly GraphQLFormattedError[]): number {
  const code = errors[0]?.extensions?.code as ErrorCode | undefined;
  return (code && HTTP_STATUS[code]) || 500;
}

function fileName(report: ReportDocument, lang: DocumentLanguage): string {
  return `bao-cao-${report.unitCode}-${report.period}-${lang}.docx`;
}

/**
 * `GET /reports/{unit}/{period}?lang=vi|en[&format=docx]`: the report of the `report` field, for the
 * caller of the Authorization header and within the caller's scope, as a printable HTML page or a Word
 * document. Refusals are the GraphQL errors, with their HTTP status.
 */
export function reportRoute(run: ReportRunner) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const unit = String(req.params.unit ?? '');
      const period = String(req.params.period ?? '');
      if (!UNIT.test(unit))
        throw clientError(
          ErrorCode.BAD_USER_INPUT,
          `Path segment "unit": expected a unit code such as 304, got "${unit.slice(0, 20)}"`,
          { argument: 'unit' },
        );
      if (!PERIOD.test(period))
        throw clientError(
          ErrorCode.INVALID_PERIOD,
          `Path segment "period": expected a period code such as 2025S1, got "${period.slice(0, 20)}"`,
          { argument: 'period' },
        );
      const lang = argument(req, 'lang', ['vi', 'en'], 'vi') as DocumentLanguage;
      const format = argument(req, 'format', ['html', 'docx'], 'html');
      const answer = await run(req, { unit, period, lang: lang === 'vi' ? 'VI' : 'EN' });
      if (answer.errors?.length) {
        res.status(statusOf(answer.errors)).json({ errors: answer.errors });
        return;
      }
      const report = answer.data?.report;
      if (!report)
        throw clientError(ErrorCode.UNIT_NOT_FOUND, `No report for unit "${unit}" and period "${period}"`, {
          argument: 'unit',
        });
      res.setHeader('cache-control', 'no-store');
      if (format === 'docx') {
        res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
        res.setHeader('content-disposition', `attachment; filename="${fileName(report, lang)}"`);
        res.send(await reportDocx(report, lang));
        return;
      }
      res.type('html').send(reportHtml(report, lang));
    } catch (error) {
      next(error);
    }
  };
}

/** Runs the report operation through the gateway's own GraphQL pipeline (limits, scope, subgraphs) as the caller. */
export function apolloReportRunner(apollo: ApolloServer<GatewayContext>, sign: IdentitySigner): ReportRunner {
  return async (req, variables) => {
    const response = await apollo.executeOperation<{ report: ReportDocument | null }>(
      { query: REPORT_OPERATION, variables },
      { contextValue: await contextFor(req, sign) },
    );
    if (response.body.kind !== 'single') throw new Error('the report operation answered incrementally');
    return response.body.singleResult;
  };
}

type Handler = (req: Request, res: Response, next: NextFunction) => void;

/** `GET /reports/{unit}/{period}` behind the common guards (body, caller, rate), for signed-in callers only. */
export function mountReports(app: Express, guards: readonly Handler[], signedIn: Handler, run: ReportRunner): void {
  app.get('/reports/:unit/:period', ...guards, signedIn, reportRoute(run));
}
