import { benchAggregate } from './aggregate';
import { BenchSize, benchNational } from './national';

/**
 * `npm run bench`: the benchmarks of the platform's hot paths. Each prints its cases as ratios to a
 * baseline measured in the same run, so figures from different machines can be compared.
 */
async function main(): Promise<void> {
  process.stdout.write('aggregate engine (DuckDB), country-sized synthetic catalogue\n');
  await benchAggregate({ log: (line: string) => process.stdout.write(`  ${line}\n`) });
  const size = (process.env.BENCH_SIZE ?? 'S').toUpperCase();
  if (size !== 'S' && size !== 'M' && size !== 'L') throw new Error(`BENCH_SIZE must be S, M or L, got "${size}"`);
  process.stdout.write(`national aggregates (DuckDB), the real units, BENCH_SIZE=${size}\n`);
  await benchNational({ size: size as BenchSize, log: (line: string) => process.stdout.write(`  ${line}\n`) });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
