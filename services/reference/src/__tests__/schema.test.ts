// The subgraph schema builds without a database (composition prints it in-process), and the service
// reads its configuration only from the environment it is given.
import { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { ConfigError, printSubgraphSdl } from '@lgr/kit';
import { buildReferenceSchema } from '..';
import { readConfig } from '../config';
import { searchKey } from '../search';

describe('reference schema', () => {
  let schema: GraphQLSchema;
  let sdl: string;

  beforeAll(async () => {
    schema = await buildReferenceSchema();
    sdl = printSubgraphSdl(schema);
  });

  it('declares AdminUnit, Indicator and Term as Federation 2 entities', () => {
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(sdl).toMatch(/type AdminUnit\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Indicator\s+@key\(fields: "code"\)/);
    expect(sdl).toMatch(/type Term\s+@key\(fields: "code"\)/);
  });

  it('has the queries and fields other teams build on, with their exact names and types', () => {
    const sig = (type: string, field: string): string => {
      const f = (schema.getType(type) as GraphQLObjectType).getFields()[field]!;
      const args = f.args.map(
        (a) =>
          `${a.name}: ${String(a.type)}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ''}`,
      );
      return `${field}${args.length ? `(${args.join(', ')})` : ''}: ${String(f.type)}`;
    };
    expect(sig('Query', 'unit')).toBe('unit(code: String, id: ID, asOf: Date): AdminUnit');
    expect(sig('Query', 'units')).toBe(
      'units(level: UnitLevel, parent: String, asOf: Date, search: String, first: Int = 50, after: String): AdminUnitConnection!',
    );
    expect(sig('Query', 'terms')).toBe('terms: [Term!]!');
    expect(sig('Query', 'term')).toBe('term(code: String!): Term');
    expect(sig('Query', 'indicators')).toBe('indicators(domain: Domain): [Indicator!]!');
    expect(sig('Query', 'indicator')).toBe('indicator(code: String!): Indicator');
    const fields = (type: string) => Object.keys((schema.getType(type) as GraphQLObjectType).getFields());
    expect(fields('AdminUnit')).toEqual(
      expect.arrayContaining([
        'id',
        'code',
        'name',
        'fullName',
        'nameEn',
        'level',
        'kind',
        'validFrom',
        'validTo',
        'parent',
        'children',
        'ancestors',
        'predecessors',
        'successors',
      ]),
    );
    expect(sig('AdminUnit', 'children')).toBe('children(asOf: Date): [AdminUnit!]!');
    expect(sig('AdminUnit', 'predecessors')).toBe('predecessors: [UnitShare!]!');
    expect(sig('AdminUnit', 'validTo')).toBe('validTo: Date');
    expect(sig('UnitShare', 'share')).toBe('share: Float!');
    expect(fields('AdminUnitConnection')).toEqual(['edges', 'pageInfo', 'totalCount']);
    expect(fields('AdminUnitEdge')).toEqual(['cursor', 'node']);
    expect(fields('PageInfo')).toEqual(['hasNextPage', 'endCursor']);
    expect(fields('Indicator')).toEqual([
      'code',
      'nameVi',
      'nameEn',
      'domain',
      'measure',
      'rule',
      'direction',
      'targetGrain',
      'notes',
      'numerator',
      'denominator',
    ]);
    expect(sig('Indicator', 'numerator')).toBe('numerator: Indicator');
    expect(sig('Indicator', 'targetGrain')).toBe('targetGrain: Grain');
    expect(fields('Term')).toEqual(['code', 'name', 'start', 'end']);
    expect(sig('Term', 'start')).toBe('start: Date!');
  });
});

describe('search keys', () => {
  it('fold Vietnamese to lowercase ASCII words', () => {
    expect(searchKey('Phường Ngô Quyền')).toBe('phuong ngo quyen');
    expect(searchKey('ĐÔNG  KHÊ')).toBe('dong khe');
    expect(searchKey('Thị trấn Đắk Hà (mới)')).toBe('thi tran dak ha moi');
  });
});

describe('reference configuration', () => {
  const secret = 's'.repeat(32);

  it('defaults to port 4001 and the embedded store', () => {
    const config = readConfig({ INTERNAL_SECRET: secret });
    expect(config).toMatchObject({ PORT: 4001, HOST: '127.0.0.1', DATA_DIR: './data' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.UNITS_DIR).toBeUndefined();
  });

  it('names every wrong variable at once', () => {
    let error: unknown;
    try {
      readConfig({ INTERNAL_SECRET: 'short', PORT: '70000', DATABASE_URL: 'mysql://x', UNITS_DIR: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['INTERNAL_SECRET', 'PORT', 'DATABASE_URL', 'UNITS_DIR']) expect(problems).toContain(name);
  });
});
