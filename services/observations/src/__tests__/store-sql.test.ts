import {
  feedInsertStatement,
  keyLookupStatement,
  postgresCommitStatement,
  sqliteCommitStatements,
  stageInsertStatement,
  upsertStatement,
} from '../store-sql';

const rows = [
  { indicator: 'PB_NEW_MEMBERS', unitId: '304@2000-01-01', period: '2025S1', value: 0.1 + 0.2, target: null },
  { indicator: 'PB_NEW_MEMBERS', unitId: '305@2000-01-01', period: '2025', value: null, target: 1e15 },
];

describe('store statements', () => {
  it('bind a whole batch on SQLite as one JSON text, whatever its size', () => {
    const small = upsertStatement('sqlite', rows, '2026-01-01T00:00:00.000Z');
    const large = upsertStatement('sqlite', [...rows, ...rows, ...rows], '2026-01-01T00:00:00.000Z');
    expect(large.sql).toBe(small.sql);
    expect(small.sql).toContain('json_each(?)');
    expect(small.params).toEqual([
      '2026-01-01T00:00:00.000Z',
      JSON.stringify([
        ['PB_NEW_MEMBERS', '304@2000-01-01', '2025S1', 0.30000000000000004, null],
        ['PB_NEW_MEMBERS', '305@2000-01-01', '2025', null, 1e15],
      ]),
    ]);
    // Every value is bound: no figure or key is written into the statement text.
    expect(small.sql).not.toMatch(/304|2025S1|0\.3/);
  });

  it('bind six values a row on PostgreSQL, and ask whether each row is new', () => {
    const s = upsertStatement('postgresql', rows, 'now');
    expect(s.sql.match(/\?/g)).toHaveLength(12);
    expect(s.sql).toContain('(xmax = 0) as fresh');
    expect(s.params).toEqual([
      'PB_NEW_MEMBERS',
      '304@2000-01-01',
      '2025S1',
      0.30000000000000004,
      null,
      'now',
      'PB_NEW_MEMBERS',
      '305@2000-01-01',
      '2025',
      null,
      1e15,
      'now',
    ]);
  });

  it('append feed rows in the order given', () => {
    const changes = rows.map((r, i) => ({ ...r, updatedAt: `t${i}` }));
    const sqlite = feedInsertStatement('sqlite', changes);
    expect(sqlite.sql).toMatch(/order by r\.key/);
    expect(JSON.parse(sqlite.params[0] as string)).toEqual(
      changes.map((c) => [c.indicator, c.unitId, c.period, c.value, c.target, c.updatedAt]),
    );
    const postgres = feedInsertStatement('postgresql', changes);
    expect(postgres.sql.match(/\?/g)).toHaveLength(12);
    expect(postgres.params.slice(0, 6)).toEqual([
      'PB_NEW_MEMBERS',
      '304@2000-01-01',
      '2025S1',
      0.30000000000000004,
      null,
      't0',
    ]);
  });

  it('look keys up through the unique index: keys first on SQLite, a VALUES list on PostgreSQL', () => {
    const keys = rows.map(({ indicator, unitId, period }) => ({ indicator, unitId, period }));
    const sqlite = keyLookupStatement('sqlite', keys);
    expect(sqlite.sql).toMatch(/from json_each\(\?\) as k\s+cross join observation o/);
    expect(JSON.parse(sqlite.params[0] as string)).toEqual([
      ['PB_NEW_MEMBERS', '304@2000-01-01', '2025S1'],
      ['PB_NEW_MEMBERS', '305@2000-01-01', '2025'],
    ]);
    const postgres = keyLookupStatement('postgresql', keys);
    expect(postgres.params).toEqual(keys.flatMap((k) => [k.indicator, k.unitId, k.period]));
    expect(postgres.sql).toContain('(values (?, ?, ?), (?, ?, ?))');
  });

  it('stage a batch under its run as one JSON text in both dialects, values bound', () => {
    for (const dialect of ['sqlite', 'postgresql'] as const) {
      const s = stageInsertStatement(dialect, 'run-12345678', rows);
      expect(s.params).toEqual([
        'run-12345678',
        JSON.stringify([
          ['PB_NEW_MEMBERS', '304@2000-01-01', '2025S1', 0.30000000000000004, null],
          ['PB_NEW_MEMBERS', '305@2000-01-01', '2025', null, 1e15],
        ]),
      ]);
      expect(s.sql.match(/\?/g)).toHaveLength(2);
      expect(s.sql).not.toMatch(/304|2025S1|run-1/);
    }
    expect(stageInsertStatement('postgresql', 'run-12345678', rows).sql).toContain('with ordinality');
  });

  it("commit a run from its last row of each key, in key order, the feed from the upsert's changes", () => {
    const sqlite = sqliteCommitStatements('run-12345678', 'now');
    expect(sqlite.copy.params).toEqual(['run-12345678']);
    expect(sqlite.copy.sql).toMatch(
      /max\(id\)[\s\S]*group by indicator, unit_id, period[\s\S]*order by indicator, unit_id, period/,
    );
    // The feed is computed before the upsert: a new key, or a value or target that changes.
    expect(sqlite.feed.sql).toContain('o.id is null');
    expect([sqlite.feed.params, sqlite.upsert.params]).toEqual([['now'], ['now']]);
    expect(sqlite.upsert.sql).toContain('on conflict (indicator, unit_id, period) do update');
    const postgres = postgresCommitStatement('run-12345678', 'now');
    expect(postgres.params).toEqual(['run-12345678', 'now']);
    expect(postgres.sql).toMatch(/returning[\s\S]*\(xmax = 0\) as fresh/);
    expect(postgres.sql).toMatch(/insert into observation_feed[\s\S]*from changed order by indicator, unit_id, period/);
  });
});
