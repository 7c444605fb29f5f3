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
  const heap = new TopKHeap(kk);
  for (let i = 0; i < count; i++) {
    const pos = positions ? positions[i]! : i;
    heap.offer(scores[pos]!, pos);
  }
  return heap.sorted();
}

/**
 * The best `k` (score, position) pairs offered, in a min-heap whose root is the worst held (the lowest
 * score; of equal scores, the higher position). Scores are held as offered (float64).
 */
export class TopKHeap {
  private readonly scores: Float64Array;
  private readonly positions: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.positions = new Int32Array(k);
  }

  get full(): boolean {
    return this.size === this.k;
  }

  /** The worst score held (once full, what a pair must beat). */
  get worst(): number {
    return this.scores[0]!;
  }

  /** Keep the pair if there is room or it beats the worst held (a tie beats it from a lower position). */
  offer(score: number, pos: number): void {
    const { scores, positions } = this;
    if (this.size < this.k) {
      let c = this.size++;
      scores[c] = score;
      positions[c] = pos;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!this.worse(c, parent)) break;
        this.swap(c, parent);
        c = parent;
      }
      return;
    }
    if (score < scores[0]! || (score === scores[0] && pos > positions[0]!)) return;
    scores[0] = score;
    positions[0] = pos;
    for (let c = 0; ;) {
      const l = 2 * c + 1,
        r = l + 1;
      let w = c;
      if (l < this.size && this.worse(l, w)) w = l;
      if (r < this.size && this.worse(r, w)) w = r;
      if (w === c) return;
      this.swap(c, w);
      c = w;
    }
  }

  /** What is held, best first; ties by position. */
  sorted(): ScoredPosition[] {
    const out: ScoredPosition[] = [];
    for (let i = 0; i < this.size; i++) out.push({ index: this.positions[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.index - b.index);
  }

  private worse(a: number, b: number): boolean {
    const s = this.scores;
    return s[a]! < s[b]! || (s[a] === s[b] && this.positions[a]! > this.positions[b]!);
  }

  private swap(a: number, b: number): void {
    const { scores, positions } = this;
    const s = scores[a]!,
      p = positions[a]!;
    scores[a] = scores[b]!;
    positions[a] = positions[b]!;
    scores[b] = s;
    positions[b] = p;
  }
}
