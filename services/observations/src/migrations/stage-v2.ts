import { CreateTablesMigration, Dialect, NamedMigration, TableDefinition } from '@lgr/kit';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/** The staging tables of ingest runs (`StageRun`, `StagedObservation`), in each dialect. */
export const OBSERVATION_STAGE_TABLES_V2: Readonly<Record<Dialect, readonly TableDefinition[]>> = {
  sqlite: [
    {
      table: 'observation_stage_run',
      statements: [
        'create table `observation_stage_run` (`run_id` text not null, `owner` text not null, `catalogue` text not null, `started_at` text not null, `committed_at` text null, `inserted` integer null, `updated` integer null, `unchanged` integer null, primary key (`run_id`));',
      ],
    },
    {
      table: 'observation_stage',
      statements: [
        'create table `observation_stage` (`id` integer not null primary key autoincrement, `run_id` text not null, `indicator` text not null, `unit_id` text not null, `period` text not null, `value` double null, `target` double null);',
        'create index `observation_stage_run_id_index` on `observation_stage` (`run_id`);',
      ],
    },
  ],
  postgresql: [
    {
      table: 'observation_stage_run',
      statements: [
        'create table "observation_stage_run" ("run_id" varchar(64) not null, "owner" varchar(64) not null, "catalogue" varchar(64) not null, "started_at" varchar(32) not null, "committed_at" varchar(32) null, "inserted" int null, "updated" int null, "unchanged" int null, constraint "observation_stage_run_pkey" primary key ("run_id"));',
      ],
    },
    {
      table: 'observation_stage',
      statements: [
        'create table "observation_stage" ("id" serial primary key, "run_id" varchar(64) not null, "indicator" varchar(64) not null, "unit_id" varchar(32) not null, "period" varchar(16) not null, "value" double precision null, "target" double precision null);',
        'create index "observation_stage_run_id_index" on "observation_stage" ("run_id");',
      ],
    },
  ],
};

function stageMigration(dialect: Dialect): NamedMigration['class'] {
  return class extends CreateTablesMigration {
    protected readonly dialect: Dialect = dialect;
    protected readonly tables: readonly TableDefinition[] = OBSERVATION_STAGE_TABLES_V2[dialect];
  };
}

/** Every domain store's second migration, the same in the three subgraphs: the staging tables. */
export const OBSERVATION_STAGE_MIGRATION = {
  name: '0002-observation-stage',
  sqlite: stageMigration('sqlite'),
  postgresql: stageMigration('postgresql'),
} as const;
