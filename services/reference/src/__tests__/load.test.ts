// Loading the unit files into the store: once, fast, in one go; a restart with the same files
// changes nothing; changed files replace everything; broken files change nothing.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_UNITS_META, DEFAULT_UNITS_DIR, LineageLinkEntity, ReferenceMetaEntity, UnitVersionEntity } from '..';
import { BACKENDS, dataOf, Harness, identityHeader, startHarness, Store } from './harness';

// A write other than the migrator's own bookkeeping (its table and the transaction it opens to check it).
const WRITES = /^(insert|update|delete|create|alter|drop)\b/i;
const MIGRATOR = /mikro_orm_migrations/i;

/** A copy of the shipped unit files, with `edit` applied to one of them. */
function editedUnitsDir(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lgr-units-'));
  for (const name of readdirSync(DEFAULT_UNITS_DIR)) {
    const text = readFileSync(join(DEFAULT_UNITS_DIR, name), 'utf8');
    writeFileSync(join(dir, name), name === file ? edit(text) : text);
  }
  return dir;
}

describe.each(BACKENDS)('loading the unit files on $name', (backend) => {
  let store: Store;
  const open = new Set<Harness>();
  const dirs: string[] = [];

  // Every started service is closed even when an assertion fails half-way, so a failure never leaves
  // a server or a connection behind.
  async function boot(options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
    const h = await startHarness(store, options);
    open.add(h);
    return h;
  }

  async function shut(h: Harness): Promise<void> {
    open.delete(h);
    await h.server.close();
  }

  beforeAll(() => {
    store = backend.createStore();
  });

  afterAll(async () => {
    for (const h of open) await h.server.close();
    await store?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function meta(h: Harness): Promise<ReferenceMetaEntity> {
    return (await h.em().findOneOrFail(ReferenceMetaEntity, { name: ADMIN_UNITS_META })) as ReferenceMetaEntity;
  }

  async function counts(h: Harness): Promise<[number, number]> {
    const em = h.em();
    return [await em.count(UnitVersionEntity, {}), await em.count(LineageLinkEntity, {})];
  }

  it('loads an empty store in one transaction of multi-row inserts', async () => {
    const first = await boot();
    const { load } = first.server;
    console.info(
      `${backend.name}: first start ${first.server.startMs} ms (reading the files ${load.readMs} ms, loading the store ${load.storeMs} ms)`,
    );
    expect(load).toMatchObject({ status: 'loaded', units: 14_149, links: 10_592 });
    expect(await counts(first)).toEqual([14_149, 10_592]);
    // The migrator runs first, in its own transaction; the load is the last transaction.
    const statements = first.statements.filter((s) => !MIGRATOR.test(s));
    const begin = statements.findLastIndex((s) => /^begin\b/i.test(s));
    const commit = statements.findIndex((s, i) => i > begin && /^commit\b/i.test(s));
    const inserts = statements.filter((s) => /^insert\b/i.test(s));
    // Every write of the load sits between one begin and its commit.
    expect(begin).toBeGreaterThan(-1);
    expect(commit).toBeGreaterThan(begin);
    expect(statements.slice(0, begin).some((s) => /^(insert|delete)\b/i.test(s))).toBe(false);
    expect(statements.slice(commit).some((s) => /^(insert|delete)\b/i.test(s))).toBe(false);
    // Batched: a few dozen statements for 24,741 rows, not one per row.
    expect(inserts.length).toBeLessThan(30);
    const m = await meta(first);
    expect(m).toMatchObject({ digest: load.digest, units: 14_149, links: 10_592 });
    await shut(first);
  });

  it('starts again on the same store without writing anything', async () => {
    const previous = await boot();
    const before = await meta(previous);
    await shut(previous);
    const second = await boot();
    const { load } = second.server;
    console.info(
      `${backend.name}: restart ${second.server.startMs} ms (reading the files ${load.readMs} ms, checking the store ${load.storeMs} ms)`,
    );
    expect(load.status).toBe('unchanged');
    expect(load.digest).toBe(before.digest);
    expect(second.statements.filter((s) => WRITES.test(s) && !MIGRATOR.test(s))).toEqual([]);
    expect(await meta(second)).toEqual(before);
    expect(await counts(second)).toEqual([14_149, 10_592]);
    await shut(second);
  });

  it('replaces everything when the files change, and serves the new catalogue', async () => {
    const dir = editedUnitsDir('wards_2025.csv', (text) =>
      text.replace('\n11329,Ngô Quyền,', '\n11329,Ngô Quyền Mới,'),
    );
    dirs.push(dir);
    const h = await boot({ unitsDir: dir });
    try {
      expect(h.server.load.status).toBe('loaded');
      const old = await meta(h);
      expect(h.server.load.digest).toBe(old.digest);
      expect(await counts(h)).toEqual([14_149, 10_592]);
      const d = dataOf(
        await h.gql('{ unit(code: "11329", asOf: "2025-07-01") { name predecessors { unit { code } } } }'),
      );
      expect(d.unit.name).toBe('Ngô Quyền Mới');
      expect(d.unit.predecessors).toHaveLength(5);
      const res = await fetch(`${h.base}/internal/catalog`, { headers: await identityHeader('service') });
      expect(((await res.json()) as { digest: string }).digest).toBe(h.server.load.digest);
    } finally {
      await shut(h);
    }
    // Back to the shipped files: loaded again, and the old answer is back.
    const back = await boot();
    try {
      expect(back.server.load.status).toBe('loaded');
      expect(dataOf(await back.gql('{ unit(code: "11329", asOf: "2025-07-01") { name } }')).unit.name).toBe(
        'Ngô Quyền',
      );
    } finally {
      await shut(back);
    }
  });

  it('refuses broken files and leaves the stored data as it was', async () => {
    const dir = editedUnitsDir('ward_mapping_2025.csv', (text) =>
      text.replace(',11329,Phường Ngô Quyền,', ',99999,Phường Ngô Quyền,'),
    );
    dirs.push(dir);
    await expect(boot({ unitsDir: dir })).rejects.toThrow(
      /ward_mapping_2025\.csv, line \d+: unknown new commune 99999/,
    );
    const h = await boot();
    try {
      expect(h.server.load.status).toBe('unchanged');
      expect(await counts(h)).toEqual([14_149, 10_592]);
    } finally {
      await shut(h);
    }
  });
});
