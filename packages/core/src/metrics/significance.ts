/**
 * Paired randomisation test (two-sided) on per-query scores: how often does randomly swapping each
 * query's two scores give a mean difference at least as large as the observed one? Deterministic
 * (seeded), `rounds` permutations.
 */
export function pairedRandomisationTest(
  a: readonly number[],
  b: readonly number[],
  rounds = 10_000,
  seed = 1,
): { meanDifference: number; pValue: number } {
  if (a.length !== b.length) throw new Error("paired test needs the same queries on both sides");
  const n = a.length;
  if (n === 0) return { meanDifference: 0, pValue: 1 };
  const diffs = a.map((x, i) => x - b[i]!);
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0) / n);
  let state = seed >>> 0 || 1;
  const bit = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) & 1;
  };
  let atLeast = 0;
  for (let r = 0; r < rounds; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += bit() ? diffs[i]! : -diffs[i]!;
    if (Math.abs(s / n) >= observed - 1e-12) atLeast++;
  }
  return { meanDifference: diffs.reduce((s, d) => s + d, 0) / n, pValue: (atLeast + 1) / (rounds + 1) };
}
