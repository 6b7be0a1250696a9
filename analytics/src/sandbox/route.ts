import express, { Request, Response } from 'express';
import { z } from 'zod';
import { Logger, respondWithError } from '@lgr/kit';
import { clientError, ErrorCode, toCsv } from '@lgr/schema';
import { JsonRowsSink, SqlAnswer } from './results';
import { AnalystSql } from './service';

/** Longest SQL text accepted. */
export const MAX_SQL_LENGTH = 100_000;

export const sqlBodySchema = z.object({
  sql: z
    .string()
    .min(1, 'send the query as "sql"')
    .max(MAX_SQL_LENGTH, `the query may be at most ${MAX_SQL_LENGTH} characters`),
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * `POST /sql` with `{ sql, format? }`: the rows of an analyst's read-only query as JSON
 * (`{ columns, rows, rowCount, truncated }`) or as CSV (with `X-Result-Truncated`).
 */
export function sqlRoutes(sql: AnalystSql, logger: Logger): (app: express.Express) => void {
  return (app) => {
    app.post('/sql', async (req: Request, res: Response) => {
      try {
        const body = parseBody(sqlBodySchema, req.body);
        const sink = new JsonRowsSink();
        const summary = await sql.run(req.identity!, body.sql, sink, {}, { signal: callerGone(res) });
        if (body.format === 'csv') {
          res.setHeader('content-type', 'text/csv; charset=utf-8');
          res.setHeader('x-result-truncated', String(summary.truncated));
          res.send(
            toCsv(
              sink.columnsInfo.map((c) => c.name),
              sink.rows,
            ),
          );
          return;
        }
        const answer: SqlAnswer = {
          columns: sink.columnsInfo,
          rows: sink.rows,
          rowCount: summary.rowCount,
          truncated: summary.truncated,
        };
        res.json(answer);
      } catch (error) {
        respondWithError(res, error, logger);
      }
    });
  };
}

/**
 * A signal that is aborted when the connection closes before the answer was sent: the client (or the
 * gateway, which gives up after its timeout) is gone, so its query should not hold a slot any longer.
 */
export function callerGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Validates a JSON body; a BAD_USER_INPUT client error names every problem. */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}
