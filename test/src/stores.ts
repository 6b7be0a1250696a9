import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client } from 'pg';
// libsql has the better-sqlite3 API and no type declarations of its own.
const Database = require('libsql') as new (path: string, options?: { readonly?: boolean }) => SqliteDb;

interface SqliteDb {
  prepare(sql: string): { all(...params: unknown[]): any[]; get(...params: unknown[]): any };
  close(): void;
}

export const DOMAINS = ['party', 'economy', 'social'] as const;
export type Domain = (typeof DOMAINS)[number];

/** How many figures a store holds and a digest of exactly which, comparable across SQLite and DuckDB. */
export interface FactsSummary {
  /** Stored values: (indicator, unit version, period) with a value. */
  readonly values: number;
  readonly valuesDigest: string;
  /** Stored targets. */
  readonly targets: number;
  readonly targetsDigest: string;
}

interface FactRow {
  indicator: string;
  unit_id: string;
  period: string;
  value: number | null;
  target: number | null;
}

/** One line per fact, in the form both sides of a comparison print: `indicator|unit|period|%.6f`. */
function line(row: FactRow, field: 'value' | 'target'): string {
  return `${row.indicator}|${row.unit_id}|${row.period}|${(row[field] as number).toFixed(6)}`;
}

const byKey = (a: FactRow, b: FactRow): number => {
  const ka = `${a.indicator}\u0000${a.unit_id}\u0000${a.period}`;
  const kb = `${b.indicator}\u0000${b.unit_id}\u0000${b.period}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The count and md5 digest of facts' values and targets, ordered by key, as {@link ANALYTICS_DIGEST_SQL} computes them. */
export function summarise(rows: readonly FactRow[]): FactsSummary {
  const sorted = [...rows].sort(byKey);
  const values = sorted.filter((r) => r.value !== null).map((r) => line(r, 'value'));
  const targets = sorted.filter((r) => r.target !== null).map((r) => line(r, 'target'));
  const md5 = (lines: string[]) => createHash('md5').update(lines.join('\n')).digest('hex');
  return { values: values.length, valuesDigest: md5(values), targets: targets.length, targetsDigest: md5(targets) };
}

/** Analysts' SQL that yields the same summary from the analytics views (for an admin, who sees every unit). */
export const ANALYTICS_DIGEST_SQL = (view: 'observations' | 'targets', column: 'value' | 'target') =>
  `select count(*) as n, md5(coalesce(string_agg(indicator || '|' || unit_id || '|' || period || '|' || printf('%.6f', ${column}), chr(10) order by indicator, unit_id, period), '')) as digest from ${view}`;

/** Opens a domain subgraph's SQLite store read-only (the service may keep running: WAL mode). */
export function openDomainStore(dataDir: string, domain: Domain): SqliteDb {
  return new Database(join(dataDir, `${domain}.sqlite`), { readonly: true });
}

/** Every fact a domain subgraph stores, read straight from its database. */
export function domainFacts(dataDir: string, domain: Domain): FactRow[] {
  const db = openDomainStore(dataDir, domain);
  try {
    return db.prepare('select indicator, unit_id, period, value, target from observation').all();
  } finally {
    db.close();
  }
}

/**
 * Every fact a domain subgraph stores in PostgreSQL: the platform gives each service the database
 * `<name>_<service>` of its DATABASE_URL.
 */
export async function postgresDomainFacts(databaseUrl: string, domain: Domain): Promise<FactRow[]> {
  const client = new Client({ connectionString: `${databaseUrl}_${domain}` });
  await client.connect();
  try {
    const result = await client.query('select indicator, unit_id, period, value, target from observation');
    return result.rows.map((r) => ({
      ...r,
      value: r.value === null ? null : Number(r.value),
      target: r.target === null ? null : Number(r.target),
    }));
  } finally {
    await client.end();
  }
}

/** The summary of what the three domain subgraphs store together. */
export function domainStoresSummary(dataDir: string): FactsSummary {
  return summarise(DOMAINS.flatMap((d) => domainFacts(dataDir, d)));
}

/**
 * The state a domain's change feed describes up to `seq` (inclusive): for each key, the latest change,
 * without the keys whose latest change removed the fact.
 */
export function feedStateUpTo(dataDir: string, domain: Domain, seq: number): FactRow[] {
  const db = openDomainStore(dataDir, domain);
  try {
    return db
      .prepare(
        `select f.indicator, f.unit_id, f.period, f.value, f.target from observation_feed f
         join (select indicator, unit_id, period, max(seq) as seq from observation_feed where seq <= ? group by indicator, unit_id, period) last on last.seq = f.seq
         where f.value is not null or f.target is not null`,
      )
      .all(seq);
  } finally {
    db.close();
  }
}

/**
 * Keys whose stored figure differs from the latest change of the feed (or has none): a store and its
 * feed written in one transaction never disagree.
 */
export function feedMismatches(dataDir: string, domain: Domain): number {
  const db = openDomainStore(dataDir, domain);
  try {
    return Number(
      db
        .prepare(
          `select count(*) as n from observation o
         left join (select indicator, unit_id, period, max(seq) as seq from observation_feed group by indicator, unit_id, period) last
           on last.indicator = o.indicator and last.unit_id = o.unit_id and last.period = o.period
         left join observation_feed f on f.seq = last.seq
         where f.seq is null or f.value is not o.value or f.target is not o.target`,
        )
        .get().n,
    );
  } finally {
    db.close();
  }
}

/** What a copy of the analytics DuckDB file holds: each source's persisted cursor and its facts. */
export interface AnalyticsSnapshot {
  readonly cursors: Record<string, number>;
  readonly factsBySource: Record<string, FactRow[]>;
}

/**
 * Reads the analytics store as a crash left it, from a copy of its files (the database and its WAL),
 * so that the original is untouched when the service starts again and replays its own WAL.
 */
export async function readAnalyticsCopy(dataDir: string): Promise<AnalyticsSnapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'lgr-analytics-copy-'));
  const file = join(dir, 'analytics.duckdb');
  copyFileSync(join(dataDir, 'analytics.duckdb'), file);
  if (existsSync(join(dataDir, 'analytics.duckdb.wal')))
    copyFileSync(join(dataDir, 'analytics.duckdb.wal'), `${file}.wal`);
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    const cursors = (await connection.runAndReadAll('select source, seq from feed_cursor')).getRowObjectsJson();
    const facts = (
      await connection.runAndReadAll('select source, indicator, unit_id, period, value, target from fact')
    ).getRowObjectsJson();
    const factsBySource: Record<string, FactRow[]> = {};
    for (const f of facts) {
      (factsBySource[String(f.source)] ??= []).push({
        indicator: String(f.indicator),
        unit_id: String(f.unit_id),
        period: String(f.period),
        value: f.value === null ? null : Number(f.value),
        target: f.target === null ? null : Number(f.target),
      });
    }
    return { cursors: Object.fromEntries(cursors.map((c) => [String(c.source), Number(c.seq)])), factsBySource };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
