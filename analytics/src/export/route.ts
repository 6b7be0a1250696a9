import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import express, { Request, Response } from 'express';
import { z } from 'zod';
import { currentCatalog, Logger, respondWithError } from '@lgr/kit';
import { GRAINS, LEVELS, toCsv } from '@lgr/schema';
import { MAX_QUERY_INDICATORS, MAX_QUERY_PERIODS, MAX_QUERY_UNITS } from '../aggregate/limits';
import { AggregateServices, computeAggregate } from '../aggregate/service';
import { JsonRowsSink } from '../sandbox/results';
import { callerGone, MAX_SQL_LENGTH, parseBody } from '../sandbox/route';
import { AnalystSql } from '../sandbox/service';
import { AGGREGATE_EXPORT_COLUMNS, aggregateExportRows } from './aggregate-rows';
import { aggregateSheet, Sheet, sqlSheet } from './sheets';
import { toXlsx } from './xlsx';
import { ParquetSink, ParquetWriter } from './parquet';

const code = z.string().min(1).max(64);
const period = z.string().min(1).max(16);

/** The aggregate query of an export, with the same fields and limits as GraphQL's `AggregateQuery`. */
export const aggregateQuerySchema = z
  .object({
    indicators: z.array(code).min(1).max(MAX_QUERY_INDICATORS),
    units: z.array(code).min(1).max(MAX_QUERY_UNITS),
    periods: z.array(period).max(MAX_QUERY_PERIODS).nullish(),
    from: period.nullish(),
    to: period.nullish(),
    grain: z.enum(GRAINS as [string, ...string[]]).nullish(),
    level: z.enum(LEVELS as [string, ...string[]]).nullish(),
    boundariesAsOf: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
      .nullish(),
    groupBy: z
      .array(z.enum(['INDICATOR', 'UNIT', 'PERIOD', 'TERM']))
      .max(4)
      .nullish(),
    totals: z.boolean().nullish(),
  })
  .strict();

/** Most sheets one workbook may ask for. */
export const MAX_SHEETS = 10;

/** One sheet of an xlsx export: an aggregate or an analyst's query, with an optional sheet name. */
const sheetSchema = z
  .object({
    name: z.string().min(1).max(31).optional(),
    aggregate: aggregateQuerySchema.optional(),
    sql: z.string().min(1).max(MAX_SQL_LENGTH).optional(),
  })
  .strict()
  .refine((b) => (b.aggregate === undefined) !== (b.sql === undefined), {
    message: 'each sheet needs exactly one of "aggregate" and "sql"',
  });

export const exportBodySchema = z
  .object({
    aggregate: aggregateQuerySchema.optional(),
    sql: z.string().min(1).max(MAX_SQL_LENGTH).optional(),
    /** xlsx only: several answers, one sheet each. */
    sheets: z.array(sheetSchema).min(1).max(MAX_SHEETS).optional(),
    format: z.enum(['csv', 'parquet', 'xlsx']).default('csv'),
    /** CSV only: start with a UTF-8 byte-order mark, so Excel on Windows reads Vietnamese text right. */
    bom: z.boolean().default(false),
  })
  .strict()
  .refine((b) => [b.aggregate, b.sql, b.sheets].filter((x) => x !== undefined).length === 1, {
    message: 'send exactly one of "aggregate" and "sql" (or "sheets" for xlsx)',
  })
  .refine((b) => b.sheets === undefined || b.format === 'xlsx', {
    message: '"sheets" is for format "xlsx"',
    path: ['sheets'],
  });

export interface ExportServices {
  readonly aggregate: AggregateServices;
  readonly sql: AnalystSql;
  /** Where Parquet files are written before they are sent (and deleted). */
  readonly exportDir: string;
  readonly logger: Logger;
}

function attachment(kind: string, extension: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `attachment; filename="lgr-${kind}-${stamp}.${extension}"`;
}

/**
 * `POST /export` with `{ aggregate }` or `{ sql }` and `format: "csv" | "parquet"`: the answer as a
 * file to download. The same access rules hold as for `aggregate` and `POST /sql`.
 */
export function exportRoutes(services: ExportServices): (app: express.Express) => void {
  return (app) => {
    app.post('/export', async (req: Request, res: Response) => {
      let writer: ParquetWriter | undefined;
      let file: string | undefined;
      try {
        const body = parseBody(exportBodySchema, req.body);
        const kind = body.aggregate ? 'aggregate' : 'sql';
        let truncated = false;
        if (body.format === 'xlsx') {
          const sheets: Sheet[] = [];
          for (const part of body.sheets ?? [{ aggregate: body.aggregate, sql: body.sql }]) {
            const sheet = part.aggregate
              ? aggregateSheet(
                  (await computeAggregate(services.aggregate, req.identity!, part.aggregate as never)).rows,
                  currentCatalog(services.aggregate.catalog),
                )
              : await sqlSheet(services.sql, req.identity!, part.sql!);
            sheets.push(part.name ? { ...sheet, name: part.name } : sheet);
          }
          res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
          res.setHeader('content-disposition', attachment(body.sheets ? 'workbook' : kind, 'xlsx'));
          res.setHeader('x-result-truncated', String(sheets.some((s) => s.truncated)));
          res.send(await toXlsx(sheets));
          return;
        }
        if (body.format === 'csv') {
          let csv: string;
          if (body.aggregate) {
            const answer = await computeAggregate(services.aggregate, req.identity!, body.aggregate as never);
            const catalog = currentCatalog(services.aggregate.catalog);
            csv = toCsv(
              AGGREGATE_EXPORT_COLUMNS.map(([name]) => name),
              aggregateExportRows(answer.rows, catalog),
            );
          } else {
            const sink = new JsonRowsSink();
            truncated = (await services.sql.run(req.identity!, body.sql!, sink, {}, { signal: callerGone(res) }))
              .truncated;
            csv = toCsv(
              sink.columnsInfo.map((c) => c.name),
              sink.rows,
            );
          }
          res.setHeader('content-type', 'text/csv; charset=utf-8');
          res.setHeader('content-disposition', attachment(kind, 'csv'));
          res.setHeader('x-result-truncated', String(truncated));
          res.send(body.bom ? `\uFEFF${csv}` : csv);
          return;
        }
        if (body.aggregate) {
          const answer = await computeAggregate(services.aggregate, req.identity!, body.aggregate as never);
          const catalog = currentCatalog(services.aggregate.catalog);
          writer = await ParquetWriter.open(services.exportDir);
          await writer.create(AGGREGATE_EXPORT_COLUMNS);
          writer.appendRows(AGGREGATE_EXPORT_COLUMNS, aggregateExportRows(answer.rows, catalog));
        } else {
          const opened = await ParquetWriter.open(services.exportDir);
          writer = opened;
          truncated = (
            await services.sql.run(req.identity!, body.sql!, new ParquetSink(opened), {}, { signal: callerGone(res) })
          ).truncated;
        }
        file = await writer.write();
        writer.close();
        writer = undefined;
        res.setHeader('content-type', 'application/vnd.apache.parquet');
        res.setHeader('content-disposition', attachment(kind, 'parquet'));
        res.setHeader('x-result-truncated', String(truncated));
        await pipeline(createReadStream(file), res);
      } catch (error) {
        respondWithError(res, error, services.logger);
      } finally {
        writer?.close();
        if (file) await rm(file, { force: true });
      }
    });
  };
}
