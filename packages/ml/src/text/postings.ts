import { topOfScores, type ScoredPosition } from "./top-k.ts";

/**
 * An inverted index frozen into typed arrays: for each key (a term or a feature bucket), the positions
 * that hold it and a precomputed weight. Scoring a query touches only its keys' postings; the scratch
 * arrays are reused between queries (scoring is synchronous).
 */
export class Postings<K extends string | number> {
  private readonly offsets = new Map<K, [start: number, end: number]>();
  private readonly positions: Int32Array;
  private readonly weights: Float32Array;
  private readonly scores: Float32Array;
  private readonly touched: Int32Array;

  /** `lists[key]` = positions and weights, positions in [0, size). */
  constructor(lists: Map<K, { positions: number[]; weights: number[] }>, readonly size: number) {
    let total = 0;
    for (const l of lists.values()) total += l.positions.length;
    this.positions = new Int32Array(total);
    this.weights = new Float32Array(total);
    let at = 0;
    for (const [key, l] of lists) {
      this.positions.set(l.positions, at);
      this.weights.set(l.weights, at);
      this.offsets.set(key, [at, at + l.positions.length]);
      at += l.positions.length;
    }
    this.scores = new Float32Array(size);
    this.touched = new Int32Array(size);
  }

  /** How many positions hold `key`. */
  count(key: K): number {
    const r = this.offsets.get(key);
    return r ? r[1] - r[0] : 0;
  }

  /** Top k positions by Σ query weight × posting weight over the given keys; `keep` leaves positions out. */
  score(query: ReadonlyArray<readonly [K, number]>, k: number, keep?: (position: number) => boolean): ScoredPosition[] {
    let count = 0;
    for (const [key, w] of query) {
      const r = this.offsets.get(key);
      if (!r) continue;
      for (let i = r[0]; i < r[1]; i++) {
        const pos = this.positions[i]!;
        if (this.scores[pos] === 0) this.touched[count++] = pos;
        this.scores[pos]! += w * this.weights[i]!;
      }
    }
    let kept = count;
    if (keep) {
      kept = 0;
      for (let t = 0; t < count; t++) {
        const pos = this.touched[t]!;
        if (keep(pos)) this.touched[kept++] = pos;
        else this.scores[pos] = 0;
      }
    }
    const top = topOfScores(this.scores, this.touched, kept, k);
    count = kept;
    for (let t = 0; t < count; t++) this.scores[this.touched[t]!] = 0;
    return top;
  }
}

/** Build postings lists from (position, key, weight) triples, in position order. */
export function postingLists<K extends string | number>(): { add(position: number, key: K, weight: number): void; lists: Map<K, { positions: number[]; weights: number[] }> } {
  const lists = new Map<K, { positions: number[]; weights: number[] }>();
  return {
    lists,
    add(position, key, weight) {
      let l = lists.get(key);
      if (!l) lists.set(key, (l = { positions: [], weights: [] }));
      l.positions.push(position);
      l.weights.push(weight);
    },
  };
}
