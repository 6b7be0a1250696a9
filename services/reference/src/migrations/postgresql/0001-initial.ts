import { CreateTablesMigration, Dialect, TableDefinition } from '@lgr/kit';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The reference store as the releases before migrations created it (unit versions, lineage links
 * and the load record). On such a store every table exists already and nothing is changed.
 */
export class ReferenceInitialPostgresql extends CreateTablesMigration {
  protected readonly dialect: Dialect = 'postgresql';
  protected readonly tables: readonly TableDefinition[] = [
    {
      table: 'lineage_link',
      statements: [
        'create table "lineage_link" ("position" int not null, "from_id" varchar(40) not null, "to_id" varchar(40) not null, "share" double precision not null, constraint "lineage_link_pkey" primary key ("position"));',
        'create index "lineage_link_to_index" on "lineage_link" ("to_id");',
        'create index "lineage_link_from_index" on "lineage_link" ("from_id");',
      ],
    },
    {
      table: 'reference_meta',
      statements: [
        'create table "reference_meta" ("name" varchar(40) not null, "digest" varchar(64) not null, "loaded_at" varchar(30) not null, "units" int not null, "links" int not null, "load_ms" int not null, constraint "reference_meta_pkey" primary key ("name"));',
      ],
    },
    {
      table: 'unit_version',
      statements: [
        'create table "unit_version" ("id" varchar(40) not null, "position" int not null, "code" varchar(20) not null, "name" varchar(255) not null, "full_name" varchar(255) not null, "name_en" varchar(255) not null, "search_key" text not null, "level" varchar(10) not null, "kind" varchar(40) not null, "parent_id" varchar(40) null, "valid_from" varchar(10) not null, "valid_to" varchar(10) null, constraint "unit_version_pkey" primary key ("id"));',
        'alter table "unit_version" add constraint "unit_version_position_unique" unique ("position");',
        'create index "unit_version_parent_index" on "unit_version" ("parent_id");',
        'create index "unit_version_code_index" on "unit_version" ("code");',
      ],
    },
  ];
}
