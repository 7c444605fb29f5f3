/** A score for a position (a passage's index in the caller's list). */
export interface ScoredPosition {
  index: number;
  score: number;
}

/**
 * Top k among `count` positions of a score array — the first `count` when `positions` is null, else the
 * listed ones — in linear time: quickselect finds the k-th best score, then only the entries at or above
 * it are sorted. Ties go to the lower position, so results are deterministic.
 */
export function topOfScores(
  scores: Float32Array,
  positions: Int32Array | null,
  count: number,
  k: number,
): ScoredPosition[] {
  if (count === 0 || k <= 0) return [];
  const kk = Math.min(k, count);
  const at = (i: number) => (positions ? positions[i]! : i);
  const work = new Float32Array(count);
  for (let i = 0; i < count; i++) work[i] = scores[at(i)]!;
  let lo = 0,
    hi = count - 1;
  const target = kk - 1; // the k-th largest, once partitioned in descending order
  while (lo < hi) {
    const pivot = work[(lo + hi) >> 1]!;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (work[i]! > pivot) i++;
      while (work[j]! < pivot) j--;
      if (i <= j) {
        const t = work[i]!;
        work[i++] = work[j]!;
        work[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  const threshold = work[target]!;
  const picked: number[] = [];
  const ties: number[] = [];
  for (let i = 0; i < count; i++) {
    const pos = at(i);
    if (scores[pos]! > threshold) picked.push(pos);
    else if (scores[pos] === threshold) ties.push(pos);
  }
  ties.sort((a, b) => a - b);
  for (const pos of ties) if (picked.length < kk) picked.push(pos);
  return picked
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, kk)
    .map((pos) => ({ index: pos, score: scores[pos]! }));
}
