import type { MigrationSet } from '@lgr/kit';
import { OBSERVATION_STAGE_MIGRATION as STAGE } from '@lgr/observations';
import { PartyInitialPostgresql } from './postgresql/0001-initial';
import { PartyInitialSqlite } from './sqlite/0001-initial';

/**
 * The party store's migrations, oldest first; the same names in both dialects. Add a new one at the
 * end of both lists (never edit a released one): its name is what each database records.
 */
export const PARTY_MIGRATIONS: MigrationSet = {
  sqlite: [
    { name: '0001-initial', class: PartyInitialSqlite },
    { name: STAGE.name, class: STAGE.sqlite },
  ],
  postgresql: [
    { name: '0001-initial', class: PartyInitialPostgresql },
    { name: STAGE.name, class: STAGE.postgresql },
  ],
};
