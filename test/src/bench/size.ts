/** The size of a benchmark's data: `BENCH_SIZE` S (the default), M or L. */
export type BenchSize = 'S' | 'M' | 'L';

/** Reads `BENCH_SIZE`, naming it when it is not S, M or L. */
export function benchSize(env: NodeJS.ProcessEnv = process.env): BenchSize {
  const size = (env.BENCH_SIZE ?? 'S').toUpperCase();
  if (size !== 'S' && size !== 'M' && size !== 'L') throw new Error(`BENCH_SIZE must be S, M or L, got "${size}"`);
  return size;
}
