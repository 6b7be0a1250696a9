import { benchAggregate } from './aggregate';
import { benchGateway } from './gateway';

/**
 * `npm run bench`: the benchmarks of the platform's hot paths. Each prints its cases as ratios to a
 * baseline measured in the same run, so figures from different machines can be compared. Names given
 * after `--` (`aggregate`, `gateway`) run only those.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wanted = (name: string) => only.length === 0 || only.includes(name);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  if (wanted('aggregate')) {
    process.stdout.write('aggregate engine (DuckDB), country-sized synthetic catalogue\n');
    await benchAggregate({ log });
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
