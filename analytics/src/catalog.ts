import { CatalogSource } from '@lgr/kit';
import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';

/** The current unit catalogue, or a SOURCE_UNAVAILABLE client error while none has arrived yet. */
export function currentCatalog(source: CatalogSource): UnitCatalog {
  try {
    return source.current();
  } catch {
    throw clientError(ErrorCode.SOURCE_UNAVAILABLE, 'The unit catalogue has not been loaded from the reference service yet; try again shortly');
  }
}
