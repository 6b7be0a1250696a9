import type { MigrationSet } from '@lgr/kit';
import { OBSERVATION_STAGE_MIGRATION as STAGE } from '@lgr/observations';
import { EconomyInitialPostgresql } from './postgresql/0001-initial';
import { EconomyInitialSqlite } from './sqlite/0001-initial';

/**
 * The economy store's migrations, oldest first; the same names in both dialects. Add a new one at the
 * end of both lists (never edit a released one): its name is what each database records.
 */
export const ECONOMY_MIGRATIONS: MigrationSet = {
  sqlite: [
    { name: '0001-initial', class: EconomyInitialSqlite },
    { name: STAGE.name, class: STAGE.sqlite },
  ],
  postgresql: [
    { name: '0001-initial', class: EconomyInitialPostgresql },
    { name: STAGE.name, class: STAGE.postgresql },
  ],
};
