/**
 * Deterministic pseudo-random numbers for the synthetic demo data. Every number is derived from a
 * fixed seed and a text key (unit, indicator, period, ...), never from a shared stream, so the value
 * for a key does not depend on the order in which keys are generated.
 */

/** The fixed seed of the synthetic dataset; changing it changes every synthetic figure. */
export const SYNTHETIC_SEED = 20250701;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-distributed 32-bit generator; one step from the key's hash. */
function mulberry32(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A number in [0, 1) fixed by the seed and the key. */
export function unitRandom(key: string, seed: number = SYNTHETIC_SEED): number {
  return mulberry32(fnv1a(`${seed}|${key}`));
}

/** A number in [low, high) fixed by the seed and the key. */
export function between(key: string, low: number, high: number, seed: number = SYNTHETIC_SEED): number {
  return low + (high - low) * unitRandom(key, seed);
}

/**
 * Splits a whole number into whole parts proportional to `weights` (largest remainder, ties by
 * position), so the parts always add up to `total` exactly. Zero weights everywhere split evenly.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (!weights.length) return [];
  const sum = weights.reduce((s, w) => s + w, 0);
  const w = sum > 0 ? weights : weights.map(() => 1);
  const wsum = sum > 0 ? sum : weights.length;
  const exact = w.map((x) => (total * x) / wsum);
  const parts = exact.map(Math.floor);
  let rest = total - parts.reduce((s, p) => s + p, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) parts[order[k]!.i]! += 1;
  return parts;
}
