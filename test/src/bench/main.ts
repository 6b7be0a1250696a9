import { benchAggregate } from './aggregate';
import { benchGateway } from './gateway';
import { benchIngest } from './ingest';
import { benchNational } from './national';
import { benchSize } from './size';

const BENCHES = ['aggregate', 'national', 'ingest', 'gateway'] as const;

/**
 * `npm run bench`: the benchmarks of the platform's hot paths. Each prints its cases as ratios to a
 * baseline measured in the same run, so figures from different machines can be compared. Names given
 * after `--` (`aggregate`, `national`, `ingest`, `gateway`) run only those; `BENCH_SIZE` (S, M, L)
 * sizes the national aggregates and the ingest.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; expected some of ${BENCHES.join(', ')}`);
  const wanted = (name: (typeof BENCHES)[number]) => only.length === 0 || only.includes(name);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  const size = benchSize();
  if (wanted('aggregate')) {
    process.stdout.write('aggregate engine (DuckDB), country-sized synthetic catalogue\n');
    await benchAggregate({ log });
  }
  if (wanted('national')) {
    process.stdout.write(`national aggregates (DuckDB), the real units, BENCH_SIZE=${size}\n`);
    await benchNational({ size, log });
  }
  if (wanted('ingest')) {
    process.stdout.write(`ingest end to end (CLI -> gateway -> subgraphs -> aggregate), BENCH_SIZE=${size}\n`);
    await benchIngest({ size, log });
  }
  if (wanted('gateway')) {
    process.stdout.write('gateway requests/s: ours, Hive Gateway and the subgraph direct\n');
    await benchGateway({ log });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
