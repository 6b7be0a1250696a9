import type { NextFunction, Request, Response } from 'express';
import { clientError, ErrorCode } from '@lgr/schema';
import { IDENTITY_HEADER, IdentitySigner } from '@lgr/kit/identity';
import { injectTraceContext } from '@lgr/kit/tracing';

/** The analytics endpoints the gateway passes on to signed-in callers. */
export const PROXIED_PATHS = ['/sql', '/export'] as const;

/** Forwards an analytics HTTP endpoint (SQL, exports) with the caller's identity, streaming the answer back. */
export function proxyTo(target: string, sign: IdentitySigner, timeoutMs: number) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: req.header('accept') ?? 'application/json',
        [IDENTITY_HEADER]: await sign(req.identity!),
      };
      injectTraceContext(headers);
      const upstream = await fetch(target, {
        method: 'POST',
        headers,
        body: JSON.stringify(req.body ?? {}),
        // Analytics stops the query when this request is aborted: after the timeout, or as soon as the
        // client is gone, so an abandoned query holds no slot of the caller's.
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), clientGone(res)]),
      });
      res.status(upstream.status);
      for (const header of ['content-type', 'content-disposition', 'x-result-truncated']) {
        const value = upstream.headers.get(header);
        if (value) res.setHeader(header, value);
      }
      res.send(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      const name = (error as Error).name;
      next(
        name === 'TimeoutError'
          ? clientError(ErrorCode.TIMEOUT, 'The analytics service did not answer in time', { http: { status: 504 } })
          : clientError(ErrorCode.SOURCE_UNAVAILABLE, 'The analytics service is unavailable', {
              http: { status: 503 },
            }),
      );
    }
  };
}

/** A signal aborted when the client's connection closes before its answer was sent. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
