import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { Domain, DOMAINS, indicatorsOfDomain } from '@lgr/schema';
import { startTestPlatform, TestPlatform } from '../harness';
import { BenchSize } from './size';

/*
 * Ingest end to end: a generated CSV file goes through the operator CLI (a process of its own), the
 * gateway and the domain subgraphs, and is timed until analytics shows its last figure of every
 * domain in `aggregate`. The ceiling, measured in the same run, is DuckDB's own COPY of the same file
 * into a table; the CPU each process spent per figure shows where the time goes.
 */

/** Figures per size: S for a quick look, M and L for the real thing. */
const INGEST_SIZES: Record<BenchSize, number> = { S: 20_000, M: 200_000, L: 1_000_000 };

const CLI = require.resolve('@lgr/platform/dist/cli/main.js');
const PROCESSES = ['gateway', 'party', 'economy', 'social', 'analytics'] as const;

interface Figure {
  readonly indicator: string;
  readonly unit: string;
  readonly period: string;
  readonly value: number;
}

interface GeneratedFile {
  readonly rows: number;
  /** The last row of each domain in file order: once it shows in `aggregate`, all of that domain does. */
  readonly last: Map<Domain, Figure>;
}

/** FLOW figures of the Hải Phòng communes for the months of 2000-2019 (1.3 million distinct keys), every domain in turn. */
async function writeFile(path: string, communes: readonly string[], count: number): Promise<GeneratedFile> {
  const indicators = DOMAINS.flatMap((d) =>
    indicatorsOfDomain(d)
      .filter((i) => i.rule === 'FLOW')
      .map((i) => ({ code: i.code, domain: d })),
  );
  const out = createWriteStream(path);
  const last = new Map<Domain, Figure>();
  let rows = 0;
  let chunk = 'indicator,unit,period,value,target\n';
  outer: for (let year = 2019; year >= 2000; year--)
    for (let month = 1; month <= 12; month++)
      for (const indicator of indicators)
        for (const unit of communes) {
          if (rows === count) break outer;
          const period = `${year}${String(month).padStart(2, '0')}`;
          const value = 1 + ((rows * 7919) % 1000);
          chunk += `${indicator.code},${unit},${period},${value},\n`;
          last.set(indicator.domain, { indicator: indicator.code, unit, period, value });
          rows++;
          if (chunk.length > 1 << 20) {
            if (!out.write(chunk)) await once(out, 'drain');
            chunk = '';
          }
        }
  if (rows < count) throw new Error(`Only ${rows} distinct keys for ${count} figures`);
  out.end(chunk);
  await once(out, 'finish');
  return { rows, last };
}

/** The commune codes of Hải Phòng before the 2025 reform (the test helper's query; it imports jest). */
async function haiPhongCommunes(platform: TestPlatform): Promise<string[]> {
  const answer = await platform.gql<{ units: { edges: { node: { code: string } }[] } }>(
    '{ units(parent: "31", level: COMMUNE, asOf: "2020-01-01", first: 500) { edges { node { code } } } }',
  );
  return answer.data!.units.edges.map((e) => e.node.code);
}

/** User plus system CPU seconds a process has spent so far (Linux /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function visible(platform: TestPlatform, last: GeneratedFile['last']): Promise<boolean> {
  for (const row of last.values()) {
    const answer = await platform.gql<{ aggregate: { rows: { value: number | null }[] } }>(
      'query($q: AggregateQuery!) { aggregate(query: $q) { rows { value } } }',
      { q: { indicators: [row.indicator], units: [row.unit], periods: [row.period] } },
    );
    if (answer.data?.aggregate.rows[0]?.value !== row.value) return false;
  }
  return true;
}

function runCli(platform: TestPlatform, file: string): Promise<{ out: string; cpu: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, 'ingest', file],
      {
        env: { ...process.env, PLATFORM_URL: platform.gatewayUrl, PLATFORM_TOKEN: platform.adminToken },
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`The ingest CLI failed: ${stderr.slice(-2000)}${stdout.slice(-500)}`));
        else resolve({ out: stdout.trim(), cpu });
      },
    );
    let cpu = 0;
    // Sampled until the process ends: /proc forgets it then.
    const timer = setInterval(() => (cpu = Math.max(cpu, cpuSeconds(child.pid))), 100);
    child.on('exit', () => clearInterval(timer));
  });
}

async function duckdbCopySeconds(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  try {
    const connection = await instance.connect();
    try {
      await connection.run(
        'CREATE TABLE figures (indicator VARCHAR, unit VARCHAR, period VARCHAR, value DOUBLE, target DOUBLE)',
      );
      const started = process.hrtime.bigint();
      await connection.run(`COPY figures FROM '${file.replace(/'/g, "''")}' (HEADER)`);
      return Number(process.hrtime.bigint() - started) / 1e9;
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * Starts a platform on free ports with a fresh data directory, ingests `size` figures through the CLI
 * and the gateway, waits until they show in `aggregate`, and prints figures/s, DuckDB's COPY of the
 * same file as the ceiling, their ratio, and the CPU microseconds per figure of each process.
 */
export async function benchIngest(options: { size: BenchSize; log: (line: string) => void }): Promise<void> {
  const { log } = options;
  const count = INGEST_SIZES[options.size];
  const dir = mkdtempSync(join(tmpdir(), 'lgr-bench-ingest-'));
  const platform = await startTestPlatform();
  try {
    const communes = await haiPhongCommunes(platform);
    const file = join(dir, 'figures.csv');
    const generated = await writeFile(file, communes, count);
    log(`${generated.rows} figures (${(statSync(file).size / 1e6).toFixed(1)} MB CSV), ${communes.length} communes`);

    const before = Object.fromEntries(PROCESSES.map((p) => [p, cpuSeconds(platform.process(p)?.pid)]));
    const started = process.hrtime.bigint();
    const cli = await runCli(platform, file);
    const acknowledged = Number(process.hrtime.bigint() - started) / 1e9;
    const deadline = Date.now() + 600_000;
    while (!(await visible(platform, generated.last))) {
      if (Date.now() > deadline) throw new Error('The figures did not show in aggregate within 10 minutes');
      await new Promise((r) => setTimeout(r, 50));
    }
    const endToEnd = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = Object.fromEntries(
      PROCESSES.map((p) => [p, cpuSeconds(platform.process(p)?.pid) - before[p]!]),
    ) as Record<(typeof PROCESSES)[number], number>;

    const copy = await duckdbCopySeconds(file);
    const rate = generated.rows / endToEnd;
    const ceiling = generated.rows / copy;
    log(cli.out.split('\n').pop()!);
    log(`acknowledged by the CLI in ${acknowledged.toFixed(1)} s; visible in aggregate after ${endToEnd.toFixed(1)} s`);
    log(
      `end to end ${Math.round(rate).toLocaleString('en')} figures/s; DuckDB COPY ${Math.round(ceiling).toLocaleString('en')} rows/s; ratio ${(ceiling / rate).toFixed(1)}x`,
    );
    const perFigure = (seconds: number) => `${((seconds * 1e6) / generated.rows).toFixed(1)}`;
    const total = cli.cpu + PROCESSES.reduce((n, p) => n + cpu[p], 0);
    log(
      `CPU us/figure: cli ${perFigure(cli.cpu)}, ${PROCESSES.map((p) => `${p} ${perFigure(cpu[p])}`).join(', ')}; total ${perFigure(total)}`,
    );
  } finally {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
