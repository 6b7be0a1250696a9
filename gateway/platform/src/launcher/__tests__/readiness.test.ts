import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { dataDirProblem, refusedPorts, sharedPorts } from '../preflight';
import { checkHealthIdentity, isBadPortError } from '../readiness';

describe('launcher readiness', () => {
  it('takes only its own service for the service: name and launch id', () => {
    expect(checkHealthIdentity({ status: 'ok', service: 'party', launch: 'abc' }, 'party', 'abc')).toBeNull();
    expect(checkHealthIdentity({ status: 'ok' }, 'party', 'abc')).toBe('it says no service name');
    expect(checkHealthIdentity({ status: 'ok', service: 'party' }, 'party', 'abc')).toBe(
      'it says service "party", started by another launch',
    );
    expect(checkHealthIdentity({ status: 'ok', service: 'social', launch: 'abc' }, 'party', 'abc')).toBe(
      'it says service "social"',
    );
  });

  it('recognises the error fetch gives for a port it refuses', async () => {
    const error = await fetch('http://127.0.0.1:6000/health').catch((e: unknown) => e);
    expect(isBadPortError(error)).toBe(true);
    expect(isBadPortError(new Error('fetch failed'))).toBe(false);
  });

  it('names ports fetch refuses and ports given twice', () => {
    expect(refusedPorts({ GATEWAY_PORT: 4000, PARTY_PORT: 6000 })).toEqual([
      'PARTY_PORT: 6000 is a port that fetch refuses to connect to ("bad port"); choose another',
    ]);
    expect(sharedPorts({ GATEWAY_PORT: 4000, PARTY_PORT: 4000, SOCIAL_PORT: 4004 })).toEqual([
      'GATEWAY_PORT and PARTY_PORT: both 4000',
    ]);
  });

  it('names a data folder it cannot write', () => {
    const parent = mkdtempSync(join(tmpdir(), 'lgr-preflight-'));
    const dir = join(parent, 'data');
    mkdirSync(dir);
    try {
      expect(dataDirProblem(dir)).toBeNull();
      if (process.getuid?.() === 0) execFileSync('chattr', ['+i', dir]);
      else execFileSync('chmod', ['555', dir]);
      expect(dataDirProblem(dir)).toMatch(new RegExp(`^DATA_DIR ${dir} cannot be written \\((EPERM|EACCES|EROFS)\\)`));
    } finally {
      if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir]);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
