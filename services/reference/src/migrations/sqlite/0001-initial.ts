import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The reference store as the releases before migrations created it (unit versions, lineage links
 * and the load record). On such a store every table exists already and nothing is changed.
 */
export class ReferenceInitialSqlite extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'sqlite';
  protected readonly tables: readonly TableDefinition[] = [
    {
      table: 'lineage_link',
      statements: [
        'create table `lineage_link` (`position` integer not null, `from_id` text not null, `to_id` text not null, `share` double not null, primary key (`position`));',
        'create index `lineage_link_to_index` on `lineage_link` (`to_id`);',
        'create index `lineage_link_from_index` on `lineage_link` (`from_id`);',
      ],
    },
    {
      table: 'reference_meta',
      statements: [
        'create table `reference_meta` (`name` text not null, `digest` text not null, `loaded_at` text not null, `units` integer not null, `links` integer not null, `load_ms` integer not null, primary key (`name`));',
      ],
    },
    {
      table: 'unit_version',
      statements: [
        'create table `unit_version` (`id` text not null, `position` integer not null, `code` text not null, `name` text not null, `full_name` text not null, `name_en` text not null, `search_key` text not null, `level` text not null, `kind` text not null, `parent_id` text null, `valid_from` text not null, `valid_to` text null, primary key (`id`));',
        'create unique index `unit_version_position_unique` on `unit_version` (`position`);',
        'create index `unit_version_parent_index` on `unit_version` (`parent_id`);',
        'create index `unit_version_code_index` on `unit_version` (`code`);',
      ],
    },
  ];
}
