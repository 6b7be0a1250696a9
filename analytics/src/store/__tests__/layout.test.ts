import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { AnalyticsStore, FeedChange, layoutDifferences, rebuildReasons, STORE_LAYOUT_VERSION } from '..';

const change = (seq: number, value: number): FeedChange => ({
  seq,
  indicator: 'PB_NEW_MEMBERS',
  unitId: '304@2000-01-01',
  period: '2025S1',
  value,
  target: null,
});

/** Runs statements on a store file directly, as an older release or an operator would have. */
async function writeDirectly(path: string, statements: readonly string[]): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('layoutDifferences and rebuildReasons', () => {
  const expected = new Map([
    ['fact', ['indicator VARCHAR', 'value DOUBLE']],
    ['feed_cursor', ['source VARCHAR', 'seq BIGINT']],
  ]);

  it('names each table whose columns differ and ignores missing and unknown tables', () => {
    const actual = new Map([
      ['fact', ['indicator VARCHAR', 'value VARCHAR']],
      ['operator_table', ['x INTEGER']],
    ]);
    expect(layoutDifferences(expected, actual)).toEqual([
      'table fact has columns (indicator VARCHAR, value VARCHAR), expected (indicator VARCHAR, value DOUBLE)',
    ]);
    expect(layoutDifferences(expected, new Map([['fact', ['indicator VARCHAR', 'value DOUBLE']]]))).toEqual([]);
  });

  it('rebuilds for another layout version or other columns, never an empty store, and adopts an unversioned store of the right columns', () => {
    expect(rebuildReasons('0', [], true)).toEqual([
      `store layout version 0, this release writes ${STORE_LAYOUT_VERSION}`,
    ]);
    expect(rebuildReasons(null, ['table fact has columns ...'], true)).toEqual(['table fact has columns ...']);
    expect(rebuildReasons(null, [], true)).toEqual([]);
    expect(rebuildReasons(STORE_LAYOUT_VERSION, [], true)).toEqual([]);
    expect(rebuildReasons('0', ['x'], false)).toEqual([]);
  });
});

describe('AnalyticsStore on a store of another layout', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'analytics-layout-'));
    path = join(dir, 'analytics.duckdb');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('empties a store whose fact table has other columns and reads the feeds again from the start', async () => {
    // An older layout: no period months, and a cursor that is far ahead of the facts it holds.
    await writeDirectly(path, [
      'CREATE TABLE fact (indicator VARCHAR, unit_id VARCHAR, period VARCHAR, value DOUBLE, source VARCHAR, seq BIGINT, PRIMARY KEY (indicator, unit_id, period))',
      "INSERT INTO fact VALUES ('PB_NEW_MEMBERS', '304@2000-01-01', '2025S1', 1, 'party', 40)",
      'CREATE TABLE feed_cursor (source VARCHAR PRIMARY KEY, seq BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)',
      "INSERT INTO feed_cursor VALUES ('party', 40, now()::TIMESTAMP)",
    ]);
    const store = await AnalyticsStore.open(path);
    try {
      expect(store.rebuiltBecause).toHaveLength(1);
      expect(store.rebuiltBecause[0]).toMatch(
        /^table fact has columns \(indicator VARCHAR, unit_id VARCHAR, period VARCHAR, value DOUBLE, source VARCHAR, seq BIGINT\), expected/,
      );
      expect(await store.cursor('party')).toBe(0);
      expect((await store.counts()).facts).toBe(0);
      // It works again: new changes are applied and the facts are readable.
      await store.applyChanges('party', [change(1, 254)], 1);
      expect(await store.cursor('party')).toBe(1);
      expect((await store.counts()).facts).toBe(1);
    } finally {
      await store.close();
    }
    const reopened = await AnalyticsStore.open(path);
    try {
      expect(reopened.rebuiltBecause).toEqual([]);
      expect(await reopened.cursor('party')).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  it('empties a store that records another layout version', async () => {
    const first = await AnalyticsStore.open(path);
    await first.applyChanges('party', [change(1, 254)], 1);
    await first.close();
    await writeDirectly(path, ["UPDATE store_meta SET value = '999' WHERE key = 'store_layout'"]);
    const store = await AnalyticsStore.open(path);
    try {
      expect(store.rebuiltBecause).toEqual([`store layout version 999, this release writes ${STORE_LAYOUT_VERSION}`]);
      expect(await store.cursor('party')).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('keeps a store of this layout written before the layout was versioned, and a table it does not know', async () => {
    const first = await AnalyticsStore.open(path);
    await first.applyChanges('party', [change(1, 254), change(2, 255)], 2);
    await first.close();
    await writeDirectly(path, [
      "DELETE FROM store_meta WHERE key = 'store_layout'",
      'CREATE TABLE operator_notes (note VARCHAR)',
    ]);
    const store = await AnalyticsStore.open(path);
    try {
      expect(store.rebuiltBecause).toEqual([]);
      expect(await store.cursor('party')).toBe(2);
      expect((await store.counts()).facts).toBe(1);
    } finally {
      await store.close();
    }
  });
});
