import { buildSchema, parse } from 'graphql';
import { checkLimits, DEFAULT_LIST_SIZE, measureOperation } from '../limits';
import { RateLimiter } from '../rate-limit';

const schema = buildSchema(`
  type Unit { code: String parent: Unit children: [Unit!]! figures(first: Int): [Figure!]! }
  type Figure { value: Float }
  type Edge { node: Unit }
  type Connection { edges: [Edge!]! }
  type Query { unit(code: String): Unit units(first: Int): Connection }
`);

const measure = (query: string, variables: Record<string, unknown> = {}) =>
  measureOperation(schema, parse(query), undefined, variables);
const limits = { maxDepth: 5, maxAliases: 2, maxRootFields: 2, maxCost: 1000 };

describe('measureOperation', () => {
  it('counts nesting depth through fragments', () => {
    expect(measure('{ unit { code } }').depth).toBe(2);
    expect(measure('{ unit { ...F } } fragment F on Unit { parent { parent { code } } }').depth).toBe(4);
  });

  it('counts aliases and root fields but not __typename', () => {
    const m = measure('{ a: unit { code } b: unit { c: code } __typename }');
    expect(m.aliases).toBe(3);
    expect(m.rootFields).toBe(2);
  });

  it('multiplies list costs by first, by a variable, or by the default size', () => {
    // units(first: 100) { edges { node { code } } }: 1 + 1 x (1 + 100 x (1 + 1 x 1))
    expect(measure('{ units(first: 100) { edges { node { code } } } }').cost).toBe(1 + (1 + 100 * (1 + 1)));
    expect(measure('query($n: Int) { units(first: $n) { edges { node { code } } } }', { n: 10 }).cost).toBe(
      1 + (1 + 10 * 2),
    );
    expect(measure('{ unit { children { code } } }').cost).toBe(1 + (1 + DEFAULT_LIST_SIZE * 1));
  });

  it('reports a fragment cycle instead of recursing forever, as a validation error', () => {
    const m = measure('{ unit { ...A } } fragment A on Unit { parent { ...B } } fragment B on Unit { ...A }');
    expect(m.fragmentCycle).toEqual(['A', 'B', 'A']);
    expect(checkLimits(m, limits)).toMatchObject({
      message: 'Cannot spread fragment "A" within itself via "B".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('measures each fragment once: 22 fragments each spreading the next twice (4 million fields expanded) at once', () => {
    const n = 22;
    const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Unit { ...F${i + 1} ...F${i + 1} }`).join(
      ' ',
    );
    const m = measure(`{ unit { ...F0 } } ${fragments} fragment F${n} on Unit { code }`);
    expect(m).toEqual({ depth: 2, aliases: 0, rootFields: 1, cost: 1 + 2 ** n });
    expect(checkLimits(m, limits)?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    // Root fields through fragments that spread each other twice are counted as expanded too.
    const roots = Array.from({ length: n }, (_, i) => `fragment R${i} on Query { ...R${i + 1} ...R${i + 1} }`).join(
      ' ',
    );
    expect(measure(`{ ...R0 } ${roots} fragment R${n} on Query { unit { code } }`).rootFields).toBe(2 ** n);
  });

  it("counts a variable's default value like a value sent", () => {
    const query = 'query($n: Int = 500) { units(first: $n) { edges { node { code } } } }';
    expect(measure(query).cost).toBe(1 + (1 + 500 * 2));
    expect(measure(query, { n: 10 }).cost).toBe(1 + (1 + 10 * 2));
    expect(measure(query).cost).toBe(measure(query, { n: 500 }).cost);
  });

  it('costs an empty page like a page of one, so first: 0 hides nothing', () => {
    expect(measure('{ units(first: 0) { edges { node { code } } } }').cost).toBe(
      measure('{ units(first: 1) { edges { node { code } } } }').cost,
    );
  });
});

describe('checkLimits', () => {
  it('refuses a 40-deep query with QUERY_TOO_DEEP naming the limit', () => {
    const deep = `{ unit { ${'parent { '.repeat(40)}code${' }'.repeat(40)} } }`;
    const error = checkLimits(measure(deep), limits);
    expect(error?.extensions.code).toBe('QUERY_TOO_DEEP');
    expect(error?.message).toContain('limit of 5');
  });

  it('refuses too many aliases, root fields and too high a cost', () => {
    expect(checkLimits(measure('{ a: unit { x: code y: code } }'), limits)?.extensions.code).toBe('TOO_MANY_ALIASES');
    expect(
      checkLimits(measure('{ unit { code } units { edges { node { code } } } u2: unit { code } }'), {
        ...limits,
        maxAliases: 9,
      })?.extensions.code,
    ).toBe('TOO_MANY_ROOT_FIELDS');
    expect(
      checkLimits(measure('{ units(first: 1000) { edges { node { figures(first: 100) { value } } } } }'), limits)
        ?.extensions.code,
    ).toBe('QUERY_TOO_COMPLEX');
  });

  it('lets an ordinary dashboard query through', () => {
    expect(
      checkLimits(measure('{ units(first: 50) { edges { node { code figures(first: 4) { value } } } } }'), {
        ...limits,
        maxCost: 1000,
      }),
    ).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then refuses until tokens refill', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').allowed).toBe(true);
    now += 1000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('charges a batch one token per operation and says how long until the whole batch fits', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    expect(limiter.take('a', 58).allowed).toBe(true);
    expect(limiter.take('a', 3)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('a', 2).allowed).toBe(true);
    expect(limiter.take('a', 5)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now += 5000;
    expect(limiter.take('a', 5).allowed).toBe(true);
    // A batch larger than the whole bucket waits for a full bucket rather than forever.
    now += 60_000;
    expect(limiter.take('a', 500).allowed).toBe(true);
  });
});
