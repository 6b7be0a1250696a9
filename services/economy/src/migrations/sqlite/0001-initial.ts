import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';
import { OBSERVATION_TABLES_V1 } from '@lgr/observations';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The economy store as the releases before migrations created it (the observation and change-feed
 * tables and the economy records). On such a store every table exists already and nothing is
 * changed.
 */
export class EconomyInitialSqlite extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'sqlite';
  protected readonly tables: readonly TableDefinition[] = [
    ...OBSERVATION_TABLES_V1.sqlite,
    {
      table: 'budget_estimate',
      statements: [
        'create table `budget_estimate` (`id` integer not null primary key autoincrement, `unit_id` text not null, `year` integer not null, `category` text not null, `amount` double not null);',
        'create index `budget_estimate_unit_id_index` on `budget_estimate` (`unit_id`);',
        'create unique index `budget_estimate_unit_id_year_category_unique` on `budget_estimate` (`unit_id`, `year`, `category`);',
      ],
    },
  ];
}
