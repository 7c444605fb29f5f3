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

/**
 * `topOfScores` with a heap of the best k instead of a copy of every score: the same list (ties to the
 * lower position), no allocation beyond k entries. Faster when k is small against `count` (a query's
 * matches over a large corpus).
 */
export function topOfScoresHeap(
  scores: Float32Array,
  positions: Int32Array | null,
  count: number,
  k: number,
): ScoredPosition[] {
  const kk = Math.min(k, count);
  if (kk <= 0) return [];
  const heapScore = new Float32Array(kk);
  const heapPos = new Int32Array(kk);
  let size = 0;
  // A min-heap under (score, then higher position is worse): the root is the worst held.
  const worse = (a: number, b: number) =>
    heapScore[a]! < heapScore[b]! || (heapScore[a] === heapScore[b] && heapPos[a]! > heapPos[b]!);
  const swap = (a: number, b: number) => {
    const s = heapScore[a]!,
      p = heapPos[a]!;
    heapScore[a] = heapScore[b]!;
    heapPos[a] = heapPos[b]!;
    heapScore[b] = s;
    heapPos[b] = p;
  };
  for (let i = 0; i < count; i++) {
    const pos = positions ? positions[i]! : i;
    const score = scores[pos]!;
    if (size < kk) {
      let c = size++;
      heapScore[c] = score;
      heapPos[c] = pos;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!worse(c, parent)) break;
        swap(c, parent);
        c = parent;
      }
      continue;
    }
    if (score < heapScore[0]! || (score === heapScore[0] && pos > heapPos[0]!)) continue;
    heapScore[0] = score;
    heapPos[0] = pos;
    for (let c = 0; ;) {
      const l = 2 * c + 1,
        r = l + 1;
      let w = c;
      if (l < size && worse(l, w)) w = l;
      if (r < size && worse(r, w)) w = r;
      if (w === c) break;
      swap(c, w);
      c = w;
    }
  }
  const out: ScoredPosition[] = [];
  for (let i = 0; i < size; i++) out.push({ index: heapPos[i]!, score: heapScore[i]! });
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}
