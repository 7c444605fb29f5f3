/** A mean with its confidence interval. */
export interface Interval {
  mean: number;
  low: number;
  high: number;
}

/** Deterministic xorshift generator in [0, 1) (the same seed gives the same intervals). */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap confidence interval of a mean over queries: resample the queries with
 * replacement `rounds` times and take the (1 − level)/2 and (1 + level)/2 quantiles of the resampled
 * means. Deterministic (seeded). An empty sample gives 0 [0, 0].
 */
export function bootstrapMean(
  values: readonly number[],
  options: { rounds?: number; level?: number; seed?: number } = {},
): Interval {
  const n = values.length;
  if (n === 0) return { mean: 0, low: 0, high: 0 };
  const rounds = options.rounds ?? 2000;
  const level = options.level ?? 0.95;
  const random = generator(options.seed ?? 7);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const means = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(random() * n)]!;
    means[r] = s / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(rounds - 1, Math.max(0, Math.floor(q * rounds)))]!;
  return { mean, low: at((1 - level) / 2), high: at((1 + level) / 2) };
}

/** Bootstrap interval of the mean paired difference a − b (the same queries on both sides). */
export function bootstrapDifference(
  a: readonly number[],
  b: readonly number[],
  options: { rounds?: number; level?: number; seed?: number } = {},
): Interval {
  if (a.length !== b.length) throw new Error("a paired difference needs the same queries on both sides");
  return bootstrapMean(
    a.map((x, i) => x - b[i]!),
    options,
  );
}
