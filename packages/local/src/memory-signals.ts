import type { ScoredIndex } from "@genq/core";
import { bucketIdf, featurize, terms, type FeatureOptions } from "@genq/ml";
import { Index, MetricKind } from "usearch";

/** TF-IDF over hashed words and word pairs, all features kept (the untrained lexical-semantic signal). */
export const SPARSE_FEATURES: FeatureOptions = { bucketBits: 18, bigrams: true, maxFeatures: 0 };

/** BM25 as Lucene and Elasticsearch score it (k1 1.2, b 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5))). */
export const BM25_PARAMETERS = { k1: 1.2, b: 0.75 };

export interface MemorySignals {
  /** BM25 over title + text (stemmed, stop words dropped). */
  bm25(query: string, k: number): ScoredIndex[];
  /** Exact TF-IDF cosine over hashed words and word pairs, in [0, 1]. */
  sparse(query: string, k: number): ScoredIndex[];
  /** Cosine against the stored unit vectors. */
  dense(vector: Float32Array, k: number): ScoredIndex[];
}

/** Postings frozen into typed arrays: for each key, row positions and a precomputed weight. */
interface Postings {
  offsets: Map<string | number, [start: number, end: number]>;
  rows: Int32Array;
  weights: Float32Array;
}

function freeze<K extends string | number>(lists: Map<K, { rows: number[]; weights: number[] }>): Postings {
  let total = 0;
  for (const l of lists.values()) total += l.rows.length;
  const rows = new Int32Array(total);
  const weights = new Float32Array(total);
  const offsets = new Map<string | number, [number, number]>();
  let at = 0;
  for (const [key, l] of lists) {
    rows.set(l.rows, at);
    weights.set(l.weights, at);
    offsets.set(key, [at, at + l.rows.length]);
    at += l.rows.length;
  }
  return { offsets, rows, weights };
}

/** Top k of the first n entries of a dense score array. */
function topOfDense(scores: Float32Array, n: number, k: number, ids: Int32Array): ScoredIndex[] {
  return topOfPositions(scores, null, n, k, ids);
}

/**
 * Top k among `count` positions of a score array — all of the first `count` when `positions` is null,
 * else the listed ones — in linear time: quickselect finds the k-th best score, then only the entries
 * at or above it are sorted (ties to the lower position).
 */
function topOfPositions(scores: Float32Array, positions: Int32Array | null, count: number, k: number, ids: Int32Array): ScoredIndex[] {
  if (count === 0 || k <= 0) return [];
  const kk = Math.min(k, count);
  const n = count;
  const at = (i: number) => (positions ? positions[i]! : i);
  const work = new Float32Array(n);
  for (let i = 0; i < n; i++) work[i] = scores[at(i)]!;
  let lo = 0, hi = n - 1;
  const target = kk - 1; // position of the k-th largest after partitioning in descending order
  while (lo < hi) {
    const pivot = work[(lo + hi) >> 1]!;
    let i = lo, j = hi;
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
  for (let i = 0; i < n; i++) if (scores[at(i)]! > threshold) picked.push(at(i));
  const ties: number[] = [];
  for (let i = 0; i < n; i++) if (scores[at(i)] === threshold) ties.push(at(i));
  ties.sort((a, b) => a - b);
  for (const pos of ties) if (picked.length < kk) picked.push(pos);
  return picked.sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, kk).map((pos) => ({ index: ids[pos]!, score: scores[pos]! }));
}

/**
 * The signals of an index version, held in memory and built from its passages and vectors: BM25 (with
 * Lucene's idf, which stays positive for common terms — SQLite FTS5's bm25() uses the Robertson idf that
 * drops to zero for terms in half the documents, which measurably weakens it), TF-IDF cosine, and an
 * exact cosine scan of the vectors. Postings and vectors live in typed arrays; a query touches only the
 * postings of its terms. Ids are the caller's row ids.
 */
export interface MemorySignalOptions {
  /**
   * From this many passages on, vector search uses an HNSW graph (usearch) instead of the exact scan:
   * below it the scan is as fast and exact (see BENCHMARKS.md for the crossover).
   */
  annThreshold?: number;
}

export const DEFAULT_ANN_THRESHOLD = 50_000;

export function createMemorySignals(rows: ReadonlyArray<{ rowid: number; text: string; vector?: Float32Array }>, options: MemorySignalOptions = {}): MemorySignals {
  const n = rows.length;
  const ids = Int32Array.from(rows, (r) => r.rowid);

  // BM25: per term, rows and their tf-normalised weights (idf applied at query time).
  const { k1, b } = BM25_PARAMETERS;
  const tokenised = rows.map((r) => terms(r.text));
  const avg = tokenised.reduce((s, t) => s + t.length, 0) / Math.max(1, n);
  const bm25Lists = new Map<string, { rows: number[]; weights: number[] }>();
  tokenised.forEach((ts, pos) => {
    const tf = new Map<string, number>();
    for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
    const norm = k1 * (1 - b + (b * ts.length) / avg);
    for (const [t, f] of tf) {
      let l = bm25Lists.get(t);
      if (!l) bm25Lists.set(t, (l = { rows: [], weights: [] }));
      l.rows.push(pos);
      l.weights.push((f * (k1 + 1)) / (f + norm));
    }
  });
  const bm25 = freeze(bm25Lists);

  const idf = bucketIdf(rows.map((r) => r.text), SPARSE_FEATURES);
  const sparseLists = new Map<number, { rows: number[]; weights: number[] }>();
  rows.forEach((r, pos) => {
    const v = featurize(r.text, idf, SPARSE_FEATURES);
    for (let i = 0; i < v.ids.length; i++) {
      let l = sparseLists.get(v.ids[i]!);
      if (!l) sparseLists.set(v.ids[i]!, (l = { rows: [], weights: [] }));
      l.rows.push(pos);
      l.weights.push(v.weights[i]!);
    }
  });
  const sparse = freeze(sparseLists);

  const dims = rows.find((r) => r.vector)?.vector?.length ?? 0;
  const vectors = new Float32Array(n * dims);
  rows.forEach((r, pos) => r.vector && vectors.set(r.vector, pos * dims));

  const ann = dims && n >= (options.annThreshold ?? DEFAULT_ANN_THRESHOLD) ? buildHnsw(vectors, n, dims) : null;

  const scores = new Float32Array(n);
  const touched = new Int32Array(n);
  const accumulate = (postings: Postings, keys: Array<[key: string | number, weight: number]>, k: number) => {
    let count = 0;
    for (const [key, w] of keys) {
      const range = postings.offsets.get(key);
      if (!range) continue;
      for (let i = range[0]; i < range[1]; i++) {
        const pos = postings.rows[i]!;
        if (scores[pos] === 0) touched[count++] = pos;
        scores[pos]! += w * postings.weights[i]!;
      }
    }
    const top = topOfPositions(scores, touched, count, k, ids);
    for (let t = 0; t < count; t++) scores[touched[t]!] = 0;
    return top;
  };

  return {
    bm25(query, k) {
      const unique = [...new Set(terms(query))];
      return accumulate(bm25, unique.map((t) => {
        const range = bm25.offsets.get(t);
        const df = range ? range[1] - range[0] : 0;
        return [t, Math.log(1 + (n - df + 0.5) / (df + 0.5))] as [string, number];
      }), k);
    },
    sparse(query, k) {
      const q = featurize(query, idf, SPARSE_FEATURES);
      return accumulate(sparse, Array.from(q.ids, (id, i) => [id, q.weights[i]!] as [number, number]), k);
    },
    dense(vector, k) {
      if (!dims) return [];
      if (ann) {
        const m = ann.search(vector, Math.min(k, n), 1);
        return Array.from(m.keys, (key, i) => ({ index: ids[Number(key)]!, score: 1 - m.distances[i]! }));
      }
      for (let pos = 0; pos < n; pos++) {
        const o = pos * dims;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let j = 0;
        for (; j + 3 < dims; j += 4) {
          s0 += vector[j]! * vectors[o + j]!;
          s1 += vector[j + 1]! * vectors[o + j + 1]!;
          s2 += vector[j + 2]! * vectors[o + j + 2]!;
          s3 += vector[j + 3]! * vectors[o + j + 3]!;
        }
        for (; j < dims; j++) s0 += vector[j]! * vectors[o + j]!;
        scores[pos] = s0 + s1 + s2 + s3;
      }
      const top = topOfDense(scores, n, k, ids);
      scores.fill(0);
      return top;
    },
  };
}

/** An HNSW graph over the vectors (cosine), keyed by position. */
function buildHnsw(vectors: Float32Array, n: number, dims: number): Index {
  const index = new Index({ dimensions: dims, metric: MetricKind.Cos, connectivity: 16, expansion_add: 128, expansion_search: 128 } as never);
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  index.add(keys, vectors.subarray(0, n * dims), 0);
  return index;
}
