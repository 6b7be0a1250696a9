import type { GraphQLError } from 'graphql';
import { BaseContext, forbidden, isService, sendError, SubgraphServerOptions } from '@lgr/kit';
import { CatalogStore } from './catalog-store';

type Routes = NonNullable<SubgraphServerOptions<BaseContext>['routes']>;

/** Whether an If-None-Match header names `digest` (quoted or not, weak or strong, or `*`). */
export function matchesEtag(header: string | undefined, digest: string): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const tag = raw
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1');
    return tag === '*' || tag === digest;
  });
}

/**
 * `GET /internal/catalog`: the whole unit catalogue for the other services (role `service` only).
 * The ETag is the catalogue digest, so a service that already holds the current copy gets a 304;
 * the body is gzipped for clients that accept it.
 */
export function internalRoutes(store: CatalogStore): Routes {
  return (app) => {
    app.get('/internal/catalog', async (req, res, next) => {
      try {
        if (!req.identity || !isService(req.identity)) {
          sendError(res, forbidden('the internal unit catalogue') as GraphQLError);
          return;
        }
        const stored = await store.current();
        res.setHeader('ETag', `"${stored.digest}"`);
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Vary', 'Accept-Encoding');
        if (matchesEtag(req.header('if-none-match'), stored.digest)) {
          res.status(304).end();
          return;
        }
        res.type('application/json');
        // Every service fetches the whole catalogue (almost 4 MB of JSON); gzipped it is a tenth of that.
        if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
          res.setHeader('Content-Encoding', 'gzip');
          res.send(await stored.gzipped());
        } else {
          res.send(stored.body);
        }
      } catch (error) {
        next(error);
      }
    });
  };
}
