import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';
import { OBSERVATION_TABLES_V1 } from '@lgr/observations';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The party store as the releases before migrations created it (the observation and change-feed
 * tables and the party records). On such a store every table exists already and nothing is changed.
 */
export class PartyInitialSqlite extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'sqlite';
  protected readonly tables: readonly TableDefinition[] = [
    ...OBSERVATION_TABLES_V1.sqlite,
    {
      table: 'party_congress',
      statements: [
        'create table `party_congress` (`id` integer not null primary key autoincrement, `unit_id` text not null, `term_code` text not null, `body` text not null, `planned_date` text not null, `held_date` text null, `status` text not null);',
        'create index `party_congress_unit_id_index` on `party_congress` (`unit_id`);',
        'create unique index `party_congress_unit_id_term_code_body_unique` on `party_congress` (`unit_id`, `term_code`, `body`);',
      ],
    },
    {
      table: 'party_organisation',
      statements: [
        'create table `party_organisation` (`id` integer not null primary key autoincrement, `unit_id` text not null, `name` text not null, `kind` text not null, `established` text null);',
        'create index `party_organisation_unit_id_index` on `party_organisation` (`unit_id`);',
        'create unique index `party_organisation_unit_id_name_unique` on `party_organisation` (`unit_id`, `name`);',
      ],
    },
    {
      table: 'party_resolution_target',
      statements: [
        'create table `party_resolution_target` (`id` integer not null primary key autoincrement, `unit_id` text not null, `term_code` text not null, `ordinal` integer not null, `title` text not null, `status` text not null);',
        'create index `party_resolution_target_unit_id_index` on `party_resolution_target` (`unit_id`);',
        'create unique index `party_resolution_target_unit_id_term_code_ordinal_unique` on `party_resolution_target` (`unit_id`, `term_code`, `ordinal`);',
      ],
    },
  ];
}
