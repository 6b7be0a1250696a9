import { readPlatformConfig } from '../../launcher/config';
import { platformServices } from '../../launcher/launcher';
import { readCliConfig } from '../config';

const secrets = { jwtSecret: 'j'.repeat(32), internalSecret: 'i'.repeat(32) };

describe('the CLI finds the platform where the launcher started it', () => {
  it('defaults to the ports of the service table', () => {
    const c = readCliConfig({});
    expect(c.PLATFORM_URL).toBe('http://127.0.0.1:4000/graphql');
    expect([c.PARTY_URL, c.ECONOMY_URL, c.SOCIAL_URL]).toEqual([
      'http://127.0.0.1:4002',
      'http://127.0.0.1:4003',
      'http://127.0.0.1:4004',
    ]);
  });

  it('follows HOST and the <NAME>_PORT variables the launcher reads', () => {
    const env = { HOST: '127.0.0.2', GATEWAY_PORT: '4700', PARTY_PORT: '4702', SOCIAL_PORT: '4704' };
    const cli = readCliConfig(env);
    const launched = platformServices(readPlatformConfig(env), secrets).flat();
    const at = (name: string) => {
      const spec = launched.find((s) => s.name === name)!;
      return `http://${spec.env.HOST}:${spec.port}`;
    };
    expect(cli.PLATFORM_URL).toBe(`${at('gateway')}/graphql`);
    expect(cli.PLATFORM_URL).toBe('http://127.0.0.2:4700/graphql');
    expect(cli.PARTY_URL).toBe(at('party'));
    expect(cli.ECONOMY_URL).toBe(at('economy'));
    expect(cli.SOCIAL_URL).toBe(at('social'));
  });

  it('lets PLATFORM_URL and a service URL win over the ports', () => {
    const c = readCliConfig({
      GATEWAY_PORT: '4700',
      PLATFORM_URL: 'http://gw.example:8080/graphql',
      PARTY_URL: 'http://party.example:1',
    });
    expect(c.PLATFORM_URL).toBe('http://gw.example:8080/graphql');
    expect(c.PARTY_URL).toBe('http://party.example:1');
  });

  it('names a bad port', () => {
    expect(() => readCliConfig({ GATEWAY_PORT: 'x' })).toThrow(/GATEWAY_PORT/);
  });
});

describe('the launcher', () => {
  it('tells every process where each subgraph is', () => {
    const stages = platformServices(readPlatformConfig({ ANALYTICS_PORT: '4805', DATA_DIR: '/tmp/x' }), secrets);
    expect(stages.map((s) => s.map((spec) => spec.name))).toEqual([
      ['reference'],
      ['party', 'economy', 'social'],
      ['analytics'],
      ['gateway'],
    ]);
    const gateway = stages[3]![0]!;
    expect(gateway.port).toBe(4000);
    expect(gateway.env).toMatchObject({
      PORT: '4000',
      ANALYTICS_URL: 'http://127.0.0.1:4805',
      REFERENCE_URL: 'http://127.0.0.1:4001',
      JWT_SECRET: secrets.jwtSecret,
    });
    expect(stages[2]![0]!.port).toBe(4805);
    expect(stages[0]![0]!.env.JWT_SECRET).toBeUndefined();
  });
});
