import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@lgr/kit';
import { readDomainServiceConfig } from '../config';

describe('domain service configuration', () => {
  const secret = 'config-test-secret-0123456789abcdef0123';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgr-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the defaults and the given port', () => {
    expect(readDomainServiceConfig(4002, { INTERNAL_SECRET: secret })).toEqual({
      host: '127.0.0.1',
      port: 4002,
      dataDir: './data',
      databaseUrl: undefined,
      internalSecret: secret,
      referenceUrl: 'http://127.0.0.1:4001',
      logLevel: 'info',
      demoData: true,
    });
    expect(readDomainServiceConfig(4002, { INTERNAL_SECRET: secret, PORT: '5002', DEMO_DATA: 'off' })).toMatchObject({
      port: 5002,
      demoData: false,
    });
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      readDomainServiceConfig(4003, {
        INTERNAL_SECRET: 'short',
        PORT: 'x',
        DEMO_DATA: 'maybe',
        DATABASE_URL: 'mysql://db',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(problems).toEqual(['DATABASE_URL', 'DEMO_DATA', 'INTERNAL_SECRET', 'PORT']);
  });

  it('takes the development secret from <DATA_DIR>/dev-secrets.json when INTERNAL_SECRET is not set, but not in production', () => {
    writeFileSync(join(dir, 'dev-secrets.json'), JSON.stringify({ jwtSecret: 'j'.repeat(40), internalSecret: secret }));
    expect(readDomainServiceConfig(4004, { DATA_DIR: dir }).internalSecret).toBe(secret);
    expect(() => readDomainServiceConfig(4004, { DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(/INTERNAL_SECRET/);
    expect(() => readDomainServiceConfig(4004, { DATA_DIR: join(dir, 'none') })).toThrow(/INTERNAL_SECRET/);
  });
});
