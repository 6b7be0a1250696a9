import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';
import { OBSERVATION_TABLES_V1 } from '@lgr/observations';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The social store as the releases before migrations created it (the observation and change-feed
 * tables and the social records). On such a store every table exists already and nothing is
 * changed.
 */
export class SocialInitialSqlite extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'sqlite';
  protected readonly tables: readonly TableDefinition[] = [
    ...OBSERVATION_TABLES_V1.sqlite,
    {
      table: 'recruitment_quota',
      statements: [
        'create table `recruitment_quota` (`id` integer not null primary key autoincrement, `unit_id` text not null, `year` integer not null, `quota` integer not null, `delivered` integer null);',
        'create index `recruitment_quota_unit_id_index` on `recruitment_quota` (`unit_id`);',
        'create unique index `recruitment_quota_unit_id_year_unique` on `recruitment_quota` (`unit_id`, `year`);',
      ],
    },
  ];
}
