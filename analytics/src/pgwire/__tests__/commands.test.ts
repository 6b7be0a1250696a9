import { sessionCommand, splitStatements } from '../commands';

describe('session commands', () => {
  it('recognises what clients send on connect', () => {
    expect(sessionCommand('SET extra_float_digits = 3')).toEqual({
      kind: 'set',
      name: 'extra_float_digits',
      value: '3',
      tag: 'SET',
    });
    expect(sessionCommand("SET application_name TO 'PostgreSQL JDBC Driver'")).toMatchObject({
      name: 'application_name',
      value: 'PostgreSQL JDBC Driver',
    });
    expect(sessionCommand('SET TIME ZONE UTC')).toMatchObject({ name: 'timezone', value: 'UTC' });
    expect(sessionCommand('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')).toEqual({
      kind: 'noop',
      tag: 'SET',
    });
    expect(sessionCommand('show transaction isolation level')).toEqual({ kind: 'show', name: 'transaction_isolation' });
    expect(sessionCommand('SHOW standard_conforming_strings;')).toEqual({
      kind: 'show',
      name: 'standard_conforming_strings',
    });
    expect(sessionCommand('BEGIN READ ONLY')).toEqual({ kind: 'begin' });
    expect(sessionCommand('rollback')).toEqual({ kind: 'rollback' });
    expect(sessionCommand('DEALLOCATE PREPARE s1')).toEqual({ kind: 'deallocate', name: 's1' });
    expect(sessionCommand('/* c */ DISCARD ALL')).toEqual({ kind: 'noop', tag: 'DISCARD ALL' });
  });

  it('leaves queries to the sandbox and the catalogue', () => {
    expect(sessionCommand('SELECT 1')).toBeUndefined();
    expect(sessionCommand('COPY observations TO stdout')).toBeUndefined();
    expect(sessionCommand('WITH x AS (SELECT 1) SELECT * FROM x')).toBeUndefined();
  });

  it('splits a script at semicolons outside literals, identifiers and comments', () => {
    expect(splitStatements('SET a = 1; SELECT \'x;y\', "a;b" -- ;\n; /* ; */ SELECT $$;$$;')).toEqual([
      'SET a = 1',
      ' SELECT \'x;y\', "a;b" -- ;\n',
      ' /* ; */ SELECT $$;$$',
    ]);
    expect(splitStatements(' ; -- nothing\n')).toEqual([]);
    expect(splitStatements("SELECT E'a\\';b'")).toEqual(["SELECT E'a\\';b'"]);
  });
});
