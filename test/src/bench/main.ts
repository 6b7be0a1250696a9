import { benchAggregate } from './aggregate';
import { benchIngest, BenchSize, INGEST_SIZES } from './ingest';

function benchSize(): BenchSize {
  const size = (process.env.BENCH_SIZE ?? 'S').toUpperCase();
  if (!(size in INGEST_SIZES))
    throw new Error(`BENCH_SIZE: expected one of ${Object.keys(INGEST_SIZES).join(', ')}, got "${size}"`);
  return size as BenchSize;
}

/**
 * `npm run bench`: the benchmarks of the platform's hot paths. Each prints its cases as ratios to a
 * baseline measured in the same run, so figures from different machines can be compared.
 */
async function main(): Promise<void> {
  process.stdout.write('aggregate engine (DuckDB), country-sized synthetic catalogue\n');
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  const size = benchSize();
  await benchAggregate({ log });
  process.stdout.write(`ingest end to end (CLI -> gateway -> subgraphs -> aggregate), size ${size}\n`);
  await benchIngest({ size, log });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
