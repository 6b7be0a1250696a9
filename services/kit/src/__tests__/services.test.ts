import { z } from 'zod';
import { ConfigError, parseConfig, servicePortVars, serviceUrlsOf, serviceUrlVars } from '../config';
import { defaultServiceUrl, SERVICE_NAMES, SERVICE_TABLE, SUBGRAPH_NAMES } from '../services';

describe('the service table', () => {
  it('gives every service its own port and variables', () => {
    const ports = SERVICE_NAMES.map((n) => SERVICE_TABLE[n].port);
    expect(new Set(ports).size).toBe(SERVICE_NAMES.length);
    expect(SERVICE_TABLE.gateway).toEqual({ port: 4000, portVar: 'GATEWAY_PORT' });
    expect(SERVICE_TABLE.party).toEqual({ port: 4002, portVar: 'PARTY_PORT', urlVar: 'PARTY_URL' });
    expect(SUBGRAPH_NAMES).not.toContain('gateway');
    expect(defaultServiceUrl('analytics')).toBe('http://127.0.0.1:4005');
  });

  it('reads the <NAME>_PORT variables with their defaults and names a bad one', () => {
    const schema = z.object(servicePortVars());
    expect(parseConfig(schema, { GATEWAY_PORT: '4700' })).toEqual({
      GATEWAY_PORT: 4700,
      REFERENCE_PORT: 4001,
      PARTY_PORT: 4002,
      ECONOMY_PORT: 4003,
      SOCIAL_PORT: 4004,
      ANALYTICS_PORT: 4005,
    });
    expect(() => parseConfig(schema, { SOCIAL_PORT: '70000' })).toThrow(ConfigError);
    expect(() => parseConfig(schema, { SOCIAL_PORT: '70000' })).toThrow(/SOCIAL_PORT/);
  });

  it('reads the <NAME>_URL variables and maps them back to service names', () => {
    const names = ['party', 'social'] as const;
    const config = parseConfig(z.object(serviceUrlVars(names)), { SOCIAL_URL: 'http://10.0.0.9:9004' });
    expect(config).toEqual({ PARTY_URL: 'http://127.0.0.1:4002', SOCIAL_URL: 'http://10.0.0.9:9004' });
    expect(serviceUrlsOf(names, config)).toEqual({ party: 'http://127.0.0.1:4002', social: 'http://10.0.0.9:9004' });
  });
});
