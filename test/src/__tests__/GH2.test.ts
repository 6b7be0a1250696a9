import { startTestPlatform, TestPlatform } from '../harness';

// Issue 2: the real administrative units through the gateway, on a platform started like `npm start`.
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(() => platform?.stop());

const count = async (level: string, asOf: string): Promise<number> => {
  const res = await platform.gql<{ units: { totalCount: number } }>(
    'query($level: UnitLevel, $asOf: Date) { units(level: $level, asOf: $asOf, first: 1) { totalCount } }',
    { level, asOf },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.units.totalCount;
};

it('returns Ngô Quyền district with its 8 wards for unit(code: "304")', async () => {
  const res = await platform.gql<{ unit: { name: string; level: string; children: { code: string; name: string }[] } }>(
    '{ unit(code: "304") { name level children { code name } } }',
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.unit.name).toBe('Ngô Quyền');
  expect(res.data!.unit.level).toBe('DISTRICT');
  expect(res.data!.unit.children.map((c) => c.code)).toEqual([
    '11329',
    '11335',
    '11338',
    '11341',
    '11344',
    '11350',
    '11359',
    '11365',
  ]);
});

it('counts the units valid before and after the 2025 reform', async () => {
  expect(await count('PROVINCE', '2025-06-30')).toBe(63);
  expect(await count('DISTRICT', '2025-06-30')).toBe(696);
  expect(await count('COMMUNE', '2025-06-30')).toBe(10035);
  expect(await count('PROVINCE', '2025-07-01')).toBe(34);
  expect(await count('COMMUNE', '2025-07-01')).toBe(3321);
  expect(await count('DISTRICT', '2025-07-01')).toBe(0);
});

it('resolves a reused code by date and lists the new ward lineage with shares', async () => {
  const res = await platform.gql<{
    old: { name: string };
    now: { name: string; predecessors: { unit: { code: string }; share: number }[] };
  }>(
    `{ old: unit(code: "11329", asOf: "2025-01-01") { name }
       now: unit(code: "11329", asOf: "2025-07-01") { name predecessors { unit { code } share } } }`,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.old.name).toBe('Máy Chai');
  expect(res.data!.now.name).toBe('Ngô Quyền');
  const shares = Object.fromEntries(res.data!.now.predecessors.map((p) => [p.unit.code, p.share]));
  expect(shares).toEqual({ '11329': 1, '11335': 1, '11338': 1, '11341': 1 / 3, '11350': 1 / 2 });
});

it('names the code and the date when no unit has that code then', async () => {
  const res = await platform.gql('{ unit(code: "11329", asOf: "1999-01-01") { name } }');
  expect(res.errors?.[0]?.extensions?.code).toBe('UNIT_NOT_FOUND');
  expect(res.errors?.[0]?.message).toContain('11329');
  expect(res.errors?.[0]?.message).toContain('1999-01-01');
});
