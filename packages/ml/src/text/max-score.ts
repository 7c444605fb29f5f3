import { TopKHeap, type ScoredPosition } from "./top-k.ts";

/** One query key's postings: its weight in the query and the slice of the frozen arrays that holds it. */
export interface QueryList {
  weight: number;
  start: number;
  end: number;
  /** The largest posting weight in the slice. */
  max: number;
}

/** Relative slack on every bound, so float32 rounding of the exact scores can never defeat a prune. */
const SLACK = 1 + 1e-5;

/**
 * Exact top k by Σ weight × posting weight with MaxScore (Turtle & Flood, 1995): postings are walked
 * position by position; once k results are held, the keys whose summed upper bounds cannot lift a
 * position past the k-th score only score positions other keys propose, and a position is dropped as soon
 * as its bound falls to the k-th score. Scores are then summed exactly as the exhaustive scorer sums them —
 * in query order, rounded to float32 after each key — and ties go to the lower position, so the result is
 * the same list, scores included. `keep` leaves positions out.
 *
 * `budget`: how many (position, key) visits to spend before giving up (null). A query of many keys, none
 * of them strong, keeps most keys proposing, and every proposed position then visits each of them: past
 * some point scoring every posting once, without MaxScore, costs less; the caller does that instead.
 */
export function maxScoreTopK(
  positions: Int32Array,
  weights: Float32Array,
  lists: readonly QueryList[],
  k: number,
  keep?: (position: number) => boolean,
  budget = Number.POSITIVE_INFINITY,
): ScoredPosition[] | null {
  const m = lists.length;
  if (!m || k <= 0) return [];
  const cursor = Int32Array.from(lists, (l) => l.start);
  const bound = Float64Array.from(lists, (l) => l.weight * l.max);
  // Keys by ascending bound; prefix[j] = the bounds of order[0..j] summed.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => bound[a]! - bound[b]! || a - b);
  const prefix = new Float64Array(m);
  for (let j = 0, s = 0; j < m; j++) prefix[j] = s += bound[order[j]!]!;
  const contribution = new Float64Array(m);
  const has = new Uint8Array(m);
  const heap = new TopKHeap(k);
  let threshold = 0;
  let essential = 0; // order[essential..] are the keys that propose positions

  const push = (score: number, pos: number) => {
    heap.offer(score, pos);
    if (heap.full) {
      threshold = heap.worst;
      while (essential < m && prefix[essential]! * SLACK <= threshold) essential++;
    }
  };

  let work = 0;
  for (;;) {
    if ((work += m) > budget) return null;
    let d = 0x7fffffff;
    for (let j = essential; j < m; j++) {
      const i = order[j]!;
      if (cursor[i]! < lists[i]!.end && positions[cursor[i]!]! < d) d = positions[cursor[i]!]!;
    }
    if (d === 0x7fffffff) break;
    let partial = 0;
    for (let j = essential; j < m; j++) {
      const i = order[j]!;
      has[i] = 0;
      if (cursor[i]! < lists[i]!.end && positions[cursor[i]!] === d) {
        contribution[i] = lists[i]!.weight * weights[cursor[i]!]!;
        partial += contribution[i]!;
        has[i] = 1;
        cursor[i]!++;
      }
    }
    if (keep && !keep(d)) continue;
    const full = heap.full;
    if (full && (partial + (essential > 0 ? prefix[essential - 1]! : 0)) * SLACK <= threshold) continue;
    let pruned = false;
    for (let j = essential - 1; j >= 0; j--) {
      const i = order[j]!;
      has[i] = 0;
      const l = lists[i]!;
      cursor[i] = seek(positions, cursor[i]!, l.end, d);
      if (cursor[i]! < l.end && positions[cursor[i]!] === d) {
        contribution[i] = l.weight * weights[cursor[i]!]!;
        partial += contribution[i]!;
        has[i] = 1;
      }
      if (full && (partial + (j > 0 ? prefix[j - 1]! : 0)) * SLACK <= threshold) {
        pruned = true;
        for (let r = j - 1; r >= 0; r--) has[order[r]!] = 0;
        break;
      }
    }
    if (pruned) continue;
    let score = 0;
    for (let i = 0; i < m; i++) if (has[i]) score = Math.fround(score + contribution[i]!);
    // Positions come in ascending order: a later one that only ties the k-th keeps its place out.
    if (!full || score > threshold) push(score, d);
  }
  return heap.sorted();
}

/** The first index in [from, end) whose position is ≥ target (galloping, then binary search). */
function seek(positions: Int32Array, from: number, end: number, target: number): number {
  if (from >= end || positions[from]! >= target) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < end && positions[hi]! < target) {
    lo = hi;
    step *= 2;
    hi = Math.min(end, hi + step);
  }
  while (lo + 1 < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
}
