import { AnalyticsStore, runStatement } from '..';
import {
  clearCatalogStatements,
  clearReferenceStatements,
  clearStagingStatement,
  countsStatement,
  createSchemaStatements,
  createStagingStatement,
  dropCatalogTablesStatements,
  readCursorStatement,
  readMetaStatement,
  setCursorStatement,
  upsertFactsStatement,
  writeMetaStatement,
} from '../sql';
import { stagingRow } from '../store';

const HOSTILE = "party'); DROP TABLE fact; --";

describe('store SQL builders', () => {
  it('bind every value as a parameter', () => {
    expect(upsertFactsStatement(HOSTILE)).toMatchObject({ params: [HOSTILE] });
    expect(upsertFactsStatement(HOSTILE).sql).not.toContain(HOSTILE);
    expect(setCursorStatement(HOSTILE, 42.7)).toMatchObject({ params: [HOSTILE, 42n] });
    expect(readCursorStatement(HOSTILE)).toMatchObject({ params: [HOSTILE] });
    expect(readMetaStatement(HOSTILE)).toMatchObject({ params: [HOSTILE] });
    expect(writeMetaStatement('k', HOSTILE)).toMatchObject({ params: ['k', HOSTILE] });
    for (const s of [
      setCursorStatement(HOSTILE, 1),
      readCursorStatement(HOSTILE),
      writeMetaStatement(HOSTILE, HOSTILE),
    ]) {
      expect(s.sql).not.toContain(HOSTILE);
    }
  });

  it('keep only the newest change of a key and never move a cursor back', () => {
    const upsert = upsertFactsStatement('s').sql;
    expect(upsert).toContain(
      'QUALIFY row_number() OVER (PARTITION BY indicator, unit_id, period ORDER BY seq DESC) = 1',
    );
    expect(upsert).toContain('WHERE excluded.seq > fact.seq OR excluded.source <> fact.source');
    expect(setCursorStatement('s', 1).sql).toContain('greatest(feed_cursor.seq, excluded.seq)');
  });

  it('create tables idempotently and clear only what they rebuild', () => {
    for (const s of createSchemaStatements()) expect(s.sql).toMatch(/^CREATE TABLE IF NOT EXISTS /);
    expect(clearCatalogStatements().map((s) => s.sql)).toEqual([
      'DELETE FROM unit_version',
      'DELETE FROM unit_closure',
      'DELETE FROM unit_lineage',
      'DELETE FROM unit_contribution',
      'DELETE FROM unit_month_source',
    ]);
    expect(clearReferenceStatements().map((s) => s.sql)).toEqual([
      'DELETE FROM period_calendar',
      'DELETE FROM indicator_def',
    ]);
    expect(dropCatalogTablesStatements().map((s) => s.sql)).not.toContain('DROP TABLE IF EXISTS fact');
  });

  it('turn a feed change into a staging row with its period parsed', () => {
    expect(
      stagingRow({
        seq: 7,
        indicator: 'X',
        unitId: 'u@2000-01-01',
        period: '2025Q3',
        value: 1.5,
        target: null,
        updatedAt: '2025-10-01T00:00:00Z',
      }),
    ).toEqual([
      'X',
      'u@2000-01-01',
      '2025Q3',
      'QUARTER',
      2025 * 12 + 6,
      2025 * 12 + 8,
      1.5,
      null,
      7n,
      '2025-10-01T00:00:00Z',
    ]);
    // Numbers that are not finite are no figures.
    expect(
      stagingRow({ seq: 1, indicator: 'X', unitId: 'u', period: 'bad', value: Number.NaN, target: Infinity }).slice(
        2,
        8,
      ),
    ).toEqual(['bad', null, null, null, null, null]);
  });

  it('run against DuckDB', async () => {
    const store = await AnalyticsStore.open(':memory:', { threads: 1 });
    try {
      await store.withConnection(async (c) => {
        for (const s of [
          ...createSchemaStatements(),
          createStagingStatement(),
          clearStagingStatement(),
          upsertFactsStatement('s'),
          setCursorStatement('s', 3),
          readCursorStatement('s'),
          countsStatement(),
          writeMetaStatement('k', 'v'),
          readMetaStatement('k'),
        ]) {
          await runStatement(c, s);
        }
      });
      expect(await store.cursor('s')).toBe(3);
    } finally {
      await store.close();
    }
  });
});
