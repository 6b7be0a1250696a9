import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';
import { OBSERVATION_TABLES_V1 } from '@lgr/observations';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The social store as the releases before migrations created it (the observation and change-feed
 * tables and the social records). On such a store every table exists already and nothing is
 * changed.
 */
export class SocialInitialPostgresql extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'postgresql';
  protected readonly tables: readonly TableDefinition[] = [
    ...OBSERVATION_TABLES_V1.postgresql,
    {
      table: 'recruitment_quota',
      statements: [
        'create table "recruitment_quota" ("id" serial primary key, "unit_id" varchar(32) not null, "year" int not null, "quota" int not null, "delivered" int null);',
        'create index "recruitment_quota_unit_id_index" on "recruitment_quota" ("unit_id");',
        'alter table "recruitment_quota" add constraint "recruitment_quota_unit_id_year_unique" unique ("unit_id", "year");',
      ],
    },
  ];
}
