import { maxScoreTopK, type QueryList } from "./max-score.ts";
import { topOfScoresHeap, type ScoredPosition } from "./top-k.ts";

/** Up to this many results `top` uses MaxScore (measured: 2.5× faster at k = 10, no faster at k = 100). */
const MAX_SCORE_K = 50;
/**
 * Up to this many query keys `top` uses MaxScore; and it gives up (for the exhaustive scorer) once it has
 * spent this share of the query's postings in (position, key) visits. Measured at 100,000 passages
 * (BENCHMARKS.md, lexical tail): MaxScore is 1.3–4× faster up to 8 keys, slower from 12.
 */
const MAX_SCORE_KEYS = 8;
const EXHAUSTIVE_COST = 0.25;

/**
 * Postings already laid out in typed arrays: key number n's postings are positions[starts[n], starts[n + 1])
 * with their weights, positions ascending. `keys` numbers the keys; null when the keys are the numbers
 * themselves (hashed feature buckets, 0 ≤ key < starts.length − 1), so no map of keys is held.
 */
export interface FrozenPostings<K> {
  keys: Map<K, number> | null;
  starts: Int32Array;
  positions: Int32Array;
  weights: Float32Array;
}

/**
 * An inverted index frozen into typed arrays: for each key (a term or a feature bucket), the positions
 * that hold it and a precomputed weight. Scoring a query touches only its keys' postings; the scratch
 * arrays are reused between queries (scoring is synchronous).
 */
export class Postings<K extends string | number> {
  private readonly keys: Map<K, number> | null;
  private readonly starts: Int32Array;
  private readonly maxes: Float32Array;
  private readonly positions: Int32Array;
  private readonly weights: Float32Array;
  private readonly scores: Float32Array;
  private readonly touched: Int32Array;
  /** Whether a position is in `touched` (its score can still be 0: a posting weight of 0). */
  private readonly marked: Uint8Array;

  /** From lists (`lists[key]` = positions and weights, positions in [0, size)) or from arrays already frozen. */
  constructor(
    source: Map<K, { positions: number[]; weights: number[] }> | FrozenPostings<K>,
    readonly size: number,
  ) {
    const frozen = source instanceof Map ? freeze(source) : source;
    this.keys = frozen.keys;
    this.starts = frozen.starts;
    this.positions = frozen.positions;
    this.weights = frozen.weights;
    const count = this.starts.length - 1;
    this.maxes = new Float32Array(count);
    for (let n = 0; n < count; n++) {
      let max = 0;
      for (let i = this.starts[n]!, end = this.starts[n + 1]!; i < end; i++)
        if (this.weights[i]! > max) max = this.weights[i]!;
      this.maxes[n] = max;
    }
    this.scores = new Float32Array(size);
    this.touched = new Int32Array(size);
    this.marked = new Uint8Array(size);
  }

  /** A key's number, undefined when no position holds it. */
  private number(key: K): number | undefined {
    if (this.keys) return this.keys.get(key);
    const n = key as number;
    return n >= 0 && n < this.starts.length - 1 && this.starts[n] !== this.starts[n + 1] ? n : undefined;
  }

  /** How many positions hold `key`. */
  count(key: K): number {
    const n = this.number(key);
    return n === undefined ? 0 : this.starts[n + 1]! - this.starts[n]!;
  }

  /**
   * The same top k as `score`, scores included, found with MaxScore: positions that cannot reach the
   * k-th score are skipped without being scored, so a query with a common key does not score every
   * position that holds it. Query weights must be positive.
   */
  top(query: ReadonlyArray<readonly [K, number]>, k: number, keep?: (position: number) => boolean): ScoredPosition[] {
    // With many results wanted the k-th score stays low and little is skipped, and with many keys every
    // position MaxScore proposes visits most of them: scoring every posting once is faster for both.
    if (k > MAX_SCORE_K || query.length > MAX_SCORE_KEYS) return this.score(query, k, keep);
    const lists: QueryList[] = [];
    let postings = 0;
    for (const [key, weight] of query) {
      const n = this.number(key);
      if (n === undefined) continue;
      lists.push({ weight, start: this.starts[n]!, end: this.starts[n + 1]!, max: this.maxes[n]! });
      postings += this.starts[n + 1]! - this.starts[n]!;
    }
    // Long queries of weak keys are cheaper scored exhaustively: MaxScore gives up past that cost.
    return (
      maxScoreTopK(this.positions, this.weights, lists, k, keep, postings * EXHAUSTIVE_COST) ??
      this.score(query, k, keep)
    );
  }

  /** Top k positions by Σ query weight × posting weight over the given keys; `keep` leaves positions out. */
  score(query: ReadonlyArray<readonly [K, number]>, k: number, keep?: (position: number) => boolean): ScoredPosition[] {
    const { starts, positions, weights, scores, touched, marked } = this;
    let count = 0;
    for (const [key, w] of query) {
      const n = this.number(key);
      if (n === undefined) continue;
      for (let i = starts[n]!, end = starts[n + 1]!; i < end; i++) {
        const pos = positions[i]!;
        if (!marked[pos]) {
          marked[pos] = 1;
          touched[count++] = pos;
        }
        scores[pos]! += w * weights[i]!;
      }
    }
    let kept = count;
    if (keep) {
      kept = 0;
      for (let t = 0; t < count; t++) {
        const pos = touched[t]!;
        if (keep(pos)) touched[kept++] = pos;
        else scores[pos] = marked[pos] = 0;
      }
    }
    const top = topOfScoresHeap(scores, touched, kept, k);
    for (let t = 0; t < kept; t++) scores[touched[t]!] = marked[touched[t]!] = 0;
    return top;
  }
}

/** Lists laid out in typed arrays, keys numbered in insertion order. */
function freeze<K>(lists: Map<K, { positions: number[]; weights: number[] }>): FrozenPostings<K> {
  let total = 0;
  for (const l of lists.values()) total += l.positions.length;
  const positions = new Int32Array(total);
  const weights = new Float32Array(total);
  // Offsets in typed arrays, not a small array per key: TF-IDF has a quarter of a million keys.
  const starts = new Int32Array(lists.size + 1);
  const keys = new Map<K, number>();
  let at = 0;
  let n = 0;
  for (const [key, l] of lists) {
    positions.set(l.positions, at);
    weights.set(l.weights, at);
    keys.set(key, n);
    starts[n++] = at;
    at += l.positions.length;
  }
  starts[n] = at;
  return { keys, starts, positions, weights };
}

/** Build postings lists from (position, key, weight) triples, in position order. */
export function postingLists<K extends string | number>(): {
  add(position: number, key: K, weight: number): void;
  lists: Map<K, { positions: number[]; weights: number[] }>;
} {
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

/**
 * Postings written into place from each key's count (its number of postings, counted in a first pass):
 * `place` writes a key's next posting and refuses one more than was counted; the arrays then make a
 * `FrozenPostings`. What both two-pass builders (BM25, TF-IDF) share.
 */
export function postingsLayout(counts: ArrayLike<number>): {
  place(key: number, position: number, weight: number): void;
  starts: Int32Array;
  positions: Int32Array;
  weights: Float32Array;
} {
  const n = counts.length;
  const starts = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) starts[k + 1] = starts[k]! + counts[k]!;
  const cursor = starts.slice(0, n);
  const positions = new Int32Array(starts[n]!);
  const weights = new Float32Array(starts[n]!);
  return {
    starts,
    positions,
    weights,
    place(key, position, weight) {
      if (!(cursor[key]! < starts[key + 1]!)) throw new Error("a text filled differs from the one counted");
      const at = cursor[key]!++;
      positions[at] = position;
      weights[at] = weight;
    },
  };
}
