import express, { Request, Response } from 'express';
import { isService, Logger, respondWithError } from '@lgr/kit';
import { clientError, ErrorCode, FEED_PAGE_SIZE, FeedPage, MAX_FEED_PAGE_SIZE } from '@lgr/schema';
import { readFeed } from './store';

function requireService(req: Request): void {
  if (!req.identity || !isService(req.identity)) {
    throw clientError(ErrorCode.FORBIDDEN, 'Internal endpoints are for platform services only');
  }
}

function nonNegativeInt(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw);
  if (!/^\d+$/.test(text))
    throw clientError(ErrorCode.BAD_USER_INPUT, `Expected ${name} to be a whole number >= 0, got "${text}"`, {
      argument: name,
    });
  const n = Number(text);
  if (n > max)
    throw clientError(ErrorCode.BAD_USER_INPUT, `Expected ${name} to be at most ${max}, got ${n}`, { argument: name });
  return n;
}

/**
 * The internal routes of a domain subgraph, for the `service` role only (the gateway does not expose
 * them): `GET /internal/feed?after=<seq>&limit=<n>` pages through the change feed, `POST
 * /internal/seed` loads the demo data.
 */
export function internalRoutes(options: {
  source: string;
  readFeedPage: (after: number, limit: number) => ReturnType<typeof readFeed>;
  seed: () => Promise<unknown>;
  logger: Logger;
}): (app: express.Express) => void {
  const handle = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      requireService(req);
      await fn(req, res);
    } catch (error) {
      respondWithError(res, error, options.logger);
    }
  };
  return (app) => {
    app.get(
      '/internal/feed',
      handle(async (req, res) => {
        const after = nonNegativeInt(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER);
        const limit = Math.max(1, nonNegativeInt(req.query.limit, 'limit', FEED_PAGE_SIZE, MAX_FEED_PAGE_SIZE));
        const { changes, hasMore } = await options.readFeedPage(after, limit);
        const page: FeedPage = {
          source: options.source,
          changes,
          lastSeq: changes.length ? changes[changes.length - 1]!.seq : after,
          hasMore,
        };
        res.json(page);
      }),
    );
    app.post(
      '/internal/seed',
      handle(async (_req, res) => {
        res.json(await options.seed());
      }),
    );
  };
}
