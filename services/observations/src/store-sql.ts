/** One statement and the values bound to its `?` parameters. */
export interface BoundStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The two stores a domain subgraph runs on; some statements are written differently for each. */
export type StoreDialect = 'sqlite' | 'postgresql';

/** A figure's key and its new value and target, as the write statements take it. */
export interface FigureRow {
  readonly indicator: string;
  readonly unitId: string;
  readonly period: string;
  readonly value: number | null;
  readonly target: number | null;
}

/** A changed figure as the feed stores it: its full new state and when it was written. */
export interface FeedRow extends FigureRow {
  readonly updatedAt: string;
}

/**
 * The rows of a batch as one JSON text, bound as a single parameter and taken apart by SQLite's
 * `json_each`. SQLite compiles a multi-row VALUES list into code for every row, so preparing a
 * 500-row VALUES statement costs more than running it; the JSON form is one short statement
 * whatever the number of rows. Numbers travel as their shortest decimal form, which converts back to
 * the same double.
 */
function jsonRows(rows: readonly (readonly unknown[])[]): string {
  return JSON.stringify(rows);
}

/** `count` groups of `width` placeholders, `(?, ?, ...), (?, ?, ...)`. */
function placeholders(count: number, width: number): string {
  const one = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: count }, () => one).join(', ');
}

const UPSERT_TAIL = `on conflict (indicator, unit_id, period) do update set
         value = coalesce(excluded.value, observation.value),
         target = coalesce(excluded.target, observation.target),
         updated_at = excluded.updated_at
       where observation.value is distinct from coalesce(excluded.value, observation.value)
          or observation.target is distinct from coalesce(excluded.target, observation.target)`;

/**
 * Upserts `rows` (see `upsertObservations`), returning every row it inserted or changed. On
 * PostgreSQL each returned row also says whether it is new (`fresh`).
 */
export function upsertStatement(dialect: StoreDialect, rows: readonly FigureRow[], now: string): BoundStatement {
  if (dialect === 'sqlite') {
    return {
      // "where true": SQLite's grammar needs a WHERE in an INSERT ... SELECT that has an upsert clause.
      sql: `insert into observation (indicator, unit_id, period, value, target, updated_at)
       select r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, ?
         from json_each(?) as r where true order by r.key
       ${UPSERT_TAIL}
       returning id, indicator, unit_id, period, value, target, updated_at`,
      params: [now, jsonRows(rows.map((r) => [r.indicator, r.unitId, r.period, r.value, r.target]))],
    };
  }
  return {
    sql: `insert into observation (indicator, unit_id, period, value, target, updated_at) values ${placeholders(rows.length, 6)}
       ${UPSERT_TAIL}
       returning id, indicator, unit_id, period, value, target, updated_at, (xmax = 0) as fresh`,
    params: rows.flatMap((r) => [r.indicator, r.unitId, r.period, r.value, r.target, now]),
  };
}

/** Appends feed rows for `changes`, numbered in the order given. */
export function feedInsertStatement(dialect: StoreDialect, changes: readonly FeedRow[]): BoundStatement {
  if (dialect === 'sqlite') {
    return {
      sql: `insert into observation_feed (indicator, unit_id, period, value, target, updated_at)
       select r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5
         from json_each(?) as r order by r.key`,
      params: [jsonRows(changes.map((c) => [c.indicator, c.unitId, c.period, c.value, c.target, c.updatedAt]))],
    };
  }
  return {
    sql: `insert into observation_feed (indicator, unit_id, period, value, target, updated_at) values ${placeholders(changes.length, 6)}`,
    params: changes.flatMap((c) => [c.indicator, c.unitId, c.period, c.value, c.target, c.updatedAt]),
  };
}

/** The stored figures of exactly these keys; a key without a stored figure gives no row. */
export function keyLookupStatement(
  dialect: StoreDialect,
  keys: readonly { indicator: string; unitId: string; period: string }[],
): BoundStatement {
  const columns = 'o.indicator, o.unit_id, o.period, o.value, o.target, o.updated_at';
  // CROSS JOIN makes SQLite loop over the keys and look each up in the unique index, never the reverse.
  if (dialect === 'sqlite') {
    return {
      sql: `select ${columns}
       from json_each(?) as k
       cross join observation o on o.indicator = k.value ->> 0 and o.unit_id = k.value ->> 1 and o.period = k.value ->> 2`,
      params: [jsonRows(keys.map((k) => [k.indicator, k.unitId, k.period]))],
    };
  }
  // A join with the keys as a VALUES list uses the unique index on (indicator, unit_id, period);
  // PostgreSQL names a VALUES list's columns column1, column2, ...
  return {
    sql: `select ${columns}
       from (values ${placeholders(keys.length, 3)}) as k
       join observation o on o.indicator = k.column1 and o.unit_id = k.column2 and o.period = k.column3`,
    params: keys.flatMap((k) => [k.indicator, k.unitId, k.period]),
  };
}

/** Adds validated rows to a staged ingest run (see `stageObservations`), in the order given. */
export function stageInsertStatement(dialect: StoreDialect, runId: string, rows: readonly FigureRow[]): BoundStatement {
  const json = jsonRows(rows.map((r) => [r.indicator, r.unitId, r.period, r.value, r.target]));
  if (dialect === 'sqlite') {
    return {
      sql: `insert into observation_stage (run_id, indicator, unit_id, period, value, target)
       select ?, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4
         from json_each(?) as r order by r.key`,
      params: [runId, json],
    };
  }
  // One JSON text here too: a VALUES list would take 6 parameters a row, in chunks of 500.
  return {
    sql: `insert into observation_stage (run_id, indicator, unit_id, period, value, target)
       select ?, r.v ->> 0, r.v ->> 1, r.v ->> 2, (r.v ->> 3)::double precision, (r.v ->> 4)::double precision
         from json_array_elements(?::json) with ordinality as r(v, n) order by r.n`,
    params: [runId, json],
  };
}

/** The staged rows of a run, the last of each key only, in key order (the feed's order within a write). */
function latestStaged(runParam: string): string {
  return `select indicator, unit_id, period, value, target from observation_stage
     where id in (select max(id) from observation_stage where run_id = ${runParam} group by indicator, unit_id, period)
     order by indicator, unit_id, period`;
}

/** The temporary table a SQLite commit of a staged run reads (a connection's own). */
const SQLITE_COMMIT_TABLE = 'temp.observation_commit';

/** The statements of a staged run's commit on SQLite (see {@link sqliteCommitStatements}). */
export interface SqliteCommitStatements {
  /** Drops the temporary copy (run first, in case a failed commit left it, and last). */
  readonly drop: BoundStatement;
  /** Copies the run's rows, the last of each key, in key order. */
  readonly copy: BoundStatement;
  /** Appends a feed row for every key whose value or target the copy changes. */
  readonly feed: BoundStatement;
  /** Upserts the copy. */
  readonly upsert: BoundStatement;
  /** Counts the rows of the copy (`n`). */
  readonly count: BoundStatement;
}

/**
 * The statements that write a staged run on SQLite, run in this order inside one transaction: drop,
 * copy, feed, upsert, count, drop. SQLite runs one write transaction at a time, so the feed rows
 * computed from the stored state before the upsert are exactly the changes the upsert then makes.
 */
export function sqliteCommitStatements(runId: string, now: string): SqliteCommitStatements {
  return {
    drop: { sql: `drop table if exists ${SQLITE_COMMIT_TABLE}`, params: [] },
    copy: { sql: `create table ${SQLITE_COMMIT_TABLE} as ${latestStaged('?')}`, params: [runId] },
    feed: {
      sql: `insert into observation_feed (indicator, unit_id, period, value, target, updated_at)
       select c.indicator, c.unit_id, c.period, coalesce(c.value, o.value), coalesce(c.target, o.target), ?
         from ${SQLITE_COMMIT_TABLE} c
         left join observation o on o.indicator = c.indicator and o.unit_id = c.unit_id and o.period = c.period
        where o.id is null
           or o.value is distinct from coalesce(c.value, o.value)
           or o.target is distinct from coalesce(c.target, o.target)
        order by c.rowid`,
      params: [now],
    },
    upsert: {
      sql: `insert into observation (indicator, unit_id, period, value, target, updated_at)
       select indicator, unit_id, period, value, target, ? from ${SQLITE_COMMIT_TABLE} where true order by rowid
       ${UPSERT_TAIL}`,
      params: [now],
    },
    count: { sql: `select count(*) as n from ${SQLITE_COMMIT_TABLE}`, params: [] },
  };
}

/**
 * Writes a staged run on PostgreSQL in one statement: the upsert's RETURNING rows are the changes, and
 * the feed rows are appended from them in key order. Answers the run's distinct keys, the keys that
 * changed and how many of those are new.
 */
export function postgresCommitStatement(runId: string, now: string): BoundStatement {
  return {
    sql: `with staged as (${latestStaged('?')}),
       changed as (
         insert into observation (indicator, unit_id, period, value, target, updated_at)
         select indicator, unit_id, period, value, target, ? from staged
         ${UPSERT_TAIL}
         returning indicator, unit_id, period, value, target, updated_at, (xmax = 0) as fresh),
       fed as (
         insert into observation_feed (indicator, unit_id, period, value, target, updated_at)
         select indicator, unit_id, period, value, target, updated_at from changed order by indicator, unit_id, period
         returning 1)
     select (select count(*) from staged) as staged, (select count(*) from fed) as changed,
            (select count(*) from changed where fresh) as inserted`,
    params: [runId, now],
  };
}

/** Removes a run's staged rows and the run itself. */
export function discardStageStatements(runId: string): BoundStatement[] {
  return [
    { sql: 'delete from observation_stage where run_id = ?', params: [runId] },
    { sql: 'delete from observation_stage_run where run_id = ?', params: [runId] },
  ];
}

/** Removes the runs started before `before` (ISO 8601) and their rows. */
export function expireStagesStatements(before: string): BoundStatement[] {
  return [
    {
      sql: 'delete from observation_stage where run_id in (select run_id from observation_stage_run where started_at < ?)',
      params: [before],
    },
    { sql: 'delete from observation_stage_run where started_at < ?', params: [before] },
  ];
}
