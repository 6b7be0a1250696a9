import { Identity, isPublic, mayReadFigures, mayReadIndicator, Scope } from '@lgr/kit';
import { clientError, ErrorCode, UnitCatalog } from '@lgr/schema';

/** Refuses identities whose role may not read figures. */
export function assertMayRead(identity: Identity): void {
  if (!mayReadFigures(identity)) {
    throw clientError(
      ErrorCode.FORBIDDEN,
      `Reading figures needs the role viewer, editor, analyst or admin; your role is ${identity.role}`,
    );
  }
}

/** Refuses indicators the identity may not read (an anonymous caller may read only the published ones). */
export function assertMayReadIndicators(identity: Identity, codes: readonly unknown[]): void {
  for (const code of codes) {
    if (typeof code === 'string' && !mayReadIndicator(identity, code)) {
      throw clientError(ErrorCode.FORBIDDEN, `You are not allowed to read the indicator ${code}`, {
        argument: 'indicators',
        indicator: code,
      });
    }
  }
}

/**
 * The unit versions whose figures an identity may read, or undefined for all. Published indicators
 * are public for every unit, so an anonymous caller (whose indicators were checked) is not limited
 * by unit; everyone else by their scope.
 */
export function readableUnits(
  identity: Identity,
  catalog: UnitCatalog,
): { ids: ReadonlySet<string> | undefined; restricted: boolean } {
  if (isPublic(identity)) return { ids: undefined, restricted: false };
  const scope = new Scope(identity, catalog);
  return { ids: scope.unitIds(), restricted: !scope.unrestricted };
}
