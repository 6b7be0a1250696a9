/** viewer reads, editor writes, analyst may also use SQL, admin may do everything; service is internal. */
export const ROLES = ['viewer', 'editor', 'analyst', 'admin'] as const;
export type UserRole = (typeof ROLES)[number];

/** The role the gateway forwards for an anonymous caller when public indicators are configured. */
export const PUBLIC_ROLE = 'public' as const;

/**
 * `service` is the platform's own identity; `public` is an anonymous caller, admitted by the gateway
 * only when public indicators are configured, who may read those indicators and reference data.
 */
export type Role = UserRole | 'service' | typeof PUBLIC_ROLE;

/** Every role a forwarded identity may carry. */
export const ALL_ROLES = [...ROLES, 'service', PUBLIC_ROLE] as const;

/** Anything that carries a role (an Identity). */
export interface HasRole {
  readonly role: Role;
}

/** Roles that may read figures; `public` only the published indicators. */
const READ_ROLES: readonly Role[] = ['viewer', 'editor', 'analyst', 'admin', PUBLIC_ROLE];
/** Roles that may run read-only SQL over the analytics store. */
const SQL_ROLES: readonly Role[] = ['analyst', 'admin'];

/** Admins and the platform's own services see every unit. */
export function isAdminLike(who: HasRole): boolean {
  return who.role === 'admin' || who.role === 'service';
}

/** Editors (within their units), admins and services may write figures. */
export function canWrite(who: HasRole): boolean {
  return who.role === 'editor' || isAdminLike(who);
}

export function isPublic(who: HasRole): boolean {
  return who.role === PUBLIC_ROLE;
}

/** Only the platform's own services may call internal endpoints (feeds, catalogue snapshots). */
export function isService(who: HasRole): boolean {
  return who.role === 'service';
}

/** Whether the role may read figures at all (which ones is decided by scope and published indicators). */
export function mayReadFigures(who: HasRole): boolean {
  return READ_ROLES.includes(who.role);
}

/** Whether the role may run analysts' SQL. */
export function mayRunSql(who: HasRole): boolean {
  return SQL_ROLES.includes(who.role);
}
