/** The k highest scores of a sparse score map, best first (ties by lower id), without sorting everything. */
export function topK(scores: Map<number, number>, k: number): Array<{ index: number; score: number }> {
  if (k <= 0) return [];
  // A min-heap of size k over (score, -index): the root is the weakest kept entry.
  const heapIdx: number[] = [];
  const heapScore: number[] = [];
  const weaker = (i: number, j: number) => heapScore[i]! < heapScore[j]! || (heapScore[i] === heapScore[j] && heapIdx[i]! > heapIdx[j]!);
  const swap = (i: number, j: number) => {
    [heapIdx[i], heapIdx[j]] = [heapIdx[j]!, heapIdx[i]!];
    [heapScore[i], heapScore[j]] = [heapScore[j]!, heapScore[i]!];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heapIdx.length && weaker(l, m)) m = l;
      if (r < heapIdx.length && weaker(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const [index, score] of scores) {
    if (heapIdx.length < k) {
      heapIdx.push(index);
      heapScore.push(score);
      for (let i = heapIdx.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!weaker(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (score > heapScore[0]! || (score === heapScore[0] && index < heapIdx[0]!)) {
      heapIdx[0] = index;
      heapScore[0] = score;
      down(0);
    }
  }
  return heapIdx.map((index, i) => ({ index, score: heapScore[i]! })).sort((a, b) => b.score - a.score || a.index - b.index);
}
