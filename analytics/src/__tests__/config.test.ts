import { ConfigError } from '@lgr/kit';
import { readConfig } from '../config';

const SECRET = 'config-test-secret-0123456789abcdef0123';

describe('analytics configuration', () => {
  it('has the documented defaults', () => {
    expect(readConfig({ INTERNAL_SECRET: SECRET })).toMatchObject({
      PORT: 4005,
      DATA_DIR: './data',
      REFERENCE_URL: 'http://127.0.0.1:4001',
      PARTY_URL: 'http://127.0.0.1:4002',
      ECONOMY_URL: 'http://127.0.0.1:4003',
      SOCIAL_URL: 'http://127.0.0.1:4004',
      SYNC_INTERVAL_MS: 250,
      QUERY_TIMEOUT_MS: 10_000,
      SQL_TIMEOUT_MS: 5_000,
      SQL_MAX_ROWS: 10_000,
    });
  });

  it('reads numbers from the environment', () => {
    expect(readConfig({ INTERNAL_SECRET: SECRET, PORT: '4105', SQL_MAX_ROWS: '50' })).toMatchObject({
      PORT: 4105,
      SQL_MAX_ROWS: 50,
    });
  });

  it('sizes the cache of answers, which 0 entries turns off', () => {
    expect(readConfig({ INTERNAL_SECRET: SECRET })).toMatchObject({
      RESULT_CACHE_ENTRIES: 20_000,
      RESULT_CACHE_MB: 64,
    });
    expect(readConfig({ INTERNAL_SECRET: SECRET, RESULT_CACHE_ENTRIES: '0', RESULT_CACHE_MB: '8' })).toMatchObject({
      RESULT_CACHE_ENTRIES: 0,
      RESULT_CACHE_MB: 8,
    });
    expect(() => readConfig({ INTERNAL_SECRET: SECRET, RESULT_CACHE_ENTRIES: '-1' })).toThrow(ConfigError);
  });

  it('names every problem at once', () => {
    let error: unknown;
    try {
      readConfig({ PORT: 'x', PARTY_URL: 'not a url', SQL_TIMEOUT_MS: '0', SYNC_INTERVAL_MS: '-5' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(problems).toEqual(['INTERNAL_SECRET', 'PARTY_URL', 'PORT', 'SQL_TIMEOUT_MS', 'SYNC_INTERVAL_MS']);
  });
});
