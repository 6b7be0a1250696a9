import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';
import { CatalogSource, CatalogUnavailableError } from './catalog-client';

/**
 * The current unit catalogue, for a request: while none has arrived from the reference service yet,
 * a SOURCE_UNAVAILABLE client error (the caller may retry) instead of an internal error.
 */
export function currentCatalog(source: CatalogSource): UnitCatalog {
  try {
    return source.current();
  } catch (error) {
    if (error instanceof CatalogUnavailableError) {
      throw clientError(
        ErrorCode.SOURCE_UNAVAILABLE,
        'The unit catalogue has not been loaded from the reference service yet; try again shortly',
      );
    }
    throw error;
  }
}
