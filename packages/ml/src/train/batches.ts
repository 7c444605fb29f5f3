import type { Rng } from "../rng.ts";

/**
 * Shuffle pairs into batches in which no passage appears twice (a duplicate would be a false negative
 * for MNRL). A pair that would repeat a passage in the batch being filled moves to a later pass; the
 * last batch of a pass may be smaller. Linear time per pass.
 */
export function noDuplicateBatches<T extends { passageIndex: number }>(
  pairs: readonly T[],
  batchSize: number,
  rng: Rng,
): T[][] {
  const batches: T[][] = [];
  let pending = rng.shuffle([...pairs]);
  while (pending.length) {
    const later: T[] = [];
    let batch: T[] = [];
    let seen = new Set<number>();
    for (const p of pending) {
      if (seen.has(p.passageIndex)) {
        later.push(p);
        continue;
      }
      seen.add(p.passageIndex);
      batch.push(p);
      if (batch.length === batchSize) {
        batches.push(batch);
        batch = [];
        seen = new Set();
      }
    }
    if (batch.length) batches.push(batch);
    pending = later;
  }
  return batches;
}
