import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';
import { OBSERVATION_TABLES_V1 } from '@lgr/observations';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The economy store as the releases before migrations created it (the observation and change-feed
 * tables and the economy records). On such a store every table exists already and nothing is
 * changed.
 */
export class EconomyInitialPostgresql extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'postgresql';
  protected readonly tables: readonly TableDefinition[] = [
    ...OBSERVATION_TABLES_V1.postgresql,
    {
      table: 'budget_estimate',
      statements: [
        'create table "budget_estimate" ("id" serial primary key, "unit_id" varchar(32) not null, "year" int not null, "category" varchar(32) not null, "amount" double precision not null);',
        'create index "budget_estimate_unit_id_index" on "budget_estimate" ("unit_id");',
        'alter table "budget_estimate" add constraint "budget_estimate_unit_id_year_category_unique" unique ("unit_id", "year", "category");',
      ],
    },
  ];
}
