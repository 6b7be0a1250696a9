import type { MigrationSet } from '@lgr/kit';
import { ReferenceInitialPostgresql } from './postgresql/0001-initial';
import { ReferenceInitialSqlite } from './sqlite/0001-initial';

/**
 * The reference store's migrations, oldest first; the same names in both dialects. Add a new one at the
 * end of both lists (never edit a released one): its name is what each database records.
 */
export const REFERENCE_MIGRATIONS: MigrationSet = {
  sqlite: [{ name: '0001-initial', class: ReferenceInitialSqlite }],
  postgresql: [{ name: '0001-initial', class: ReferenceInitialPostgresql }],
};
