import type { Request, Response } from 'express';
import { launchIdentity } from '@lgr/kit/launch';
import type { SubgraphName } from '@lgr/kit/services';

/** Each subgraph's `/health`: `ok`, `http <status>` or `unreachable`. */
export async function subgraphHealth(urls: Record<SubgraphName, string>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, base]) => {
      try {
        const res = await fetch(`${base.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(1500) });
        return [name, res.ok ? 'ok' : `http ${res.status}`] as const;
      } catch {
        return [name, 'unreachable'] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** `GET /health`: 200 when every subgraph answers, 503 (degraded) otherwise. */
export function healthRoute(urls: Record<SubgraphName, string>) {
  return async (_req: Request, res: Response) => {
    const subgraphs = await subgraphHealth(urls);
    const ok = Object.values(subgraphs).every((s) => s === 'ok');
    // The service name and launch id let the launcher tell this gateway from another program on its port.
    res
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ok' : 'degraded', service: 'gateway', ...launchIdentity(), subgraphs });
  };
}
