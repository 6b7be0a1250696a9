import { Directive, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import {
  buildFederatedSchema,
  createLogger,
  IDENTITY_HEADER,
  printSubgraphSdl,
  RunningServer,
  signForwardedIdentity,
  startSubgraphServer,
} from '..';

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

@ObjectType('Thing')
@Directive('@key(fields: "id")')
class Thing {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => [Thing])
  things(): Thing[] {
    return [{ id: '1', name: 'one' }];
  }
}

describe('subgraph server', () => {
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    const schema = await buildFederatedSchema(
      { resolvers: [ThingResolver] },
      { Thing: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `thing ${ref.id}` }) } },
    );
    server = await startSubgraphServer({
      name: 'things',
      host: '127.0.0.1',
      port: 0,
      schema,
      internalSecret: SECRET,
      logger: createLogger('things', 'silent'),
      context: (ctx) => ctx,
    });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(() => server.close());

  const post = async (body: unknown, identity?: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(identity ? { [IDENTITY_HEADER]: identity } : {}) },
      body: JSON.stringify(body),
    });

  it('answers health checks without an identity', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'things' });
  });

  it('refuses GraphQL without a forwarded identity', async () => {
    const res = await post({ query: '{ things { id } }' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an identity signed with another secret', async () => {
    const forged = await signForwardedIdentity(
      { sub: 'x', role: 'admin', units: [] },
      'another-secret-0123456789abcdef0123456789',
    );
    expect((await post({ query: '{ things { id } }' }, forged)).status).toBe(401);
  });

  it('serves queries and entity references with a valid identity', async () => {
    const identity = await signForwardedIdentity({ sub: 'u', role: 'viewer', units: ['304'] }, SECRET);
    const res = await post(
      {
        query:
          '{ things { id name } _entities(representations: [{__typename: "Thing", id: "7"}]) { ... on Thing { name } } }',
      },
      identity,
    );
    expect(await res.json()).toEqual({
      data: { things: [{ id: '1', name: 'one' }], _entities: [{ name: 'thing 7' }] },
    });
  });

  it('prints a Federation 2 subgraph SDL with the entity key', async () => {
    const schema = await buildFederatedSchema({ resolvers: [ThingResolver] });
    const sdl = printSubgraphSdl(schema);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(sdl).toMatch(/type Thing\s+@key\(fields: "id"\)/);
  });
});
