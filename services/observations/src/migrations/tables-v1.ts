import type { Dialect, TableDefinition } from '@lgr/kit';

// Frozen: a migration's statements never change once released. A later change of the layout is a
// new migration.

/**
 * The observation and change-feed tables as every domain subgraph's first migration creates them, in
 * each dialect (the layout the schema generator gave them before migrations existed).
 */
export const OBSERVATION_TABLES_V1: Readonly<Record<Dialect, readonly TableDefinition[]>> = {
  sqlite: [
    {
      table: 'observation_feed',
      statements: [
        'create table `observation_feed` (`seq` integer not null primary key autoincrement, `indicator` text not null, `unit_id` text not null, `period` text not null, `value` double null, `target` double null, `updated_at` text not null);',
      ],
    },
    {
      table: 'observation',
      statements: [
        'create table `observation` (`id` integer not null primary key autoincrement, `indicator` text not null, `unit_id` text not null, `period` text not null, `value` double null, `target` double null, `updated_at` text not null);',
        'create index `observation_unit` on `observation` (`unit_id`, `period`);',
        'create unique index `observation_key` on `observation` (`indicator`, `unit_id`, `period`);',
      ],
    },
  ],
  postgresql: [
    {
      table: 'observation_feed',
      statements: [
        'create table "observation_feed" ("seq" serial primary key, "indicator" varchar(64) not null, "unit_id" varchar(32) not null, "period" varchar(16) not null, "value" double precision null, "target" double precision null, "updated_at" varchar(32) not null);',
      ],
    },
    {
      table: 'observation',
      statements: [
        'create table "observation" ("id" serial primary key, "indicator" varchar(64) not null, "unit_id" varchar(32) not null, "period" varchar(16) not null, "value" double precision null, "target" double precision null, "updated_at" varchar(32) not null);',
        'create index "observation_unit" on "observation" ("unit_id", "period");',
        'alter table "observation" add constraint "observation_key" unique ("indicator", "unit_id", "period");',
      ],
    },
  ],
};
