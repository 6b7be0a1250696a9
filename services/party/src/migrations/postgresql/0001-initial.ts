import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';
import { OBSERVATION_TABLES_V1 } from '@lgr/observations';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The party store as the releases before migrations created it (the observation and change-feed
 * tables and the party records). On such a store every table exists already and nothing is changed.
 */
export class PartyInitialPostgresql extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'postgresql';
  protected readonly tables: readonly TableDefinition[] = [
    ...OBSERVATION_TABLES_V1.postgresql,
    {
      table: 'party_congress',
      statements: [
        'create table "party_congress" ("id" serial primary key, "unit_id" varchar(32) not null, "term_code" varchar(16) not null, "body" varchar(200) not null, "planned_date" varchar(10) not null, "held_date" varchar(10) null, "status" varchar(16) not null);',
        'create index "party_congress_unit_id_index" on "party_congress" ("unit_id");',
        'alter table "party_congress" add constraint "party_congress_unit_id_term_code_body_unique" unique ("unit_id", "term_code", "body");',
      ],
    },
    {
      table: 'party_organisation',
      statements: [
        'create table "party_organisation" ("id" serial primary key, "unit_id" varchar(32) not null, "name" varchar(200) not null, "kind" varchar(32) not null, "established" varchar(10) null);',
        'create index "party_organisation_unit_id_index" on "party_organisation" ("unit_id");',
        'alter table "party_organisation" add constraint "party_organisation_unit_id_name_unique" unique ("unit_id", "name");',
      ],
    },
    {
      table: 'party_resolution_target',
      statements: [
        'create table "party_resolution_target" ("id" serial primary key, "unit_id" varchar(32) not null, "term_code" varchar(16) not null, "ordinal" int not null, "title" varchar(300) not null, "status" varchar(16) not null);',
        'create index "party_resolution_target_unit_id_index" on "party_resolution_target" ("unit_id");',
        'alter table "party_resolution_target" add constraint "party_resolution_target_unit_id_term_code_ordinal_unique" unique ("unit_id", "term_code", "ordinal");',
      ],
    },
  ];
}
