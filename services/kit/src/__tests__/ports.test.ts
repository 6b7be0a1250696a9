import { FETCH_BLOCKED_PORTS, fetchRefusesPort, portProblem } from '..';

/** The reason fetch gives when it will not connect to 127.0.0.1:port, or 'connected or refused by the OS'. */
async function fetchVerdict(port: number): Promise<string> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return 'connected or refused by the OS';
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return cause?.message === 'bad port' ? 'bad port' : 'connected or refused by the OS';
  }
}

describe('ports fetch refuses', () => {
  it('are exactly the ones Node refuses with "bad port"', async () => {
    for (const port of FETCH_BLOCKED_PORTS) expect([port, await fetchVerdict(port)]).toEqual([port, 'bad port']);
    for (const port of [4000, 4005, 5432, 5999, 6001, 6379, 8080])
      expect([port, await fetchVerdict(port)]).toEqual([port, 'connected or refused by the OS']);
  });

  it('are named in the problem a launcher reports', () => {
    expect(fetchRefusesPort(6000)).toBe(true);
    expect(portProblem(6000)).toBe('6000 is a port that fetch refuses to connect to ("bad port"); choose another');
    expect(portProblem(4002)).toBeNull();
  });
});
