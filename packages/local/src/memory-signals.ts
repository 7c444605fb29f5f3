import { runToEnd, type ScoredIndex } from "@genq/core";
import {
  Bm25Index,
  DEFAULT_BM25,
  Postings,
  bucketIdfSteps,
  featurize,
  postingLists,
  terms,
  topOfScores,
  type FeatureOptions,
  type ScoredPosition,
} from "@genq/ml";
import { Index, MetricKind, ScalarKind } from "usearch";

/** TF-IDF over hashed words and word pairs, all features kept (the untrained lexical-semantic signal). */
export const SPARSE_FEATURES: FeatureOptions = { bucketBits: 18, bigrams: true, maxFeatures: 0 };

/** BM25 as Lucene and Elasticsearch score it (k1 1.2, b 0.75). */
export const BM25_PARAMETERS = DEFAULT_BM25;

/** Leaves rows out of a ranking by row id (deleted since the signals were built, or filtered away). */
export type KeepRow = (rowid: number) => boolean;

export interface MemorySignals {
  /** BM25 over title + text (stemmed, stop words dropped); `idf` replaces the signals' own (segments scored together). */
  bm25(query: string, k: number, keep?: KeepRow, idf?: (term: string) => number): ScoredIndex[];
  /** Exact TF-IDF cosine over hashed words and word pairs, in [0, 1]. */
  sparse(query: string, k: number, keep?: KeepRow): ScoredIndex[];
  /** Cosine against the stored unit vectors. */
  dense(vector: Float32Array, k: number, keep?: KeepRow): ScoredIndex[];
  /** The collection statistics a segment built later is scored with. */
  readonly stats: { size: number; avgLength: number; idf: Float32Array; documentFrequency(term: string): number };
}

export interface MemorySignalOptions {
  /**
   * From this many passages on, vector search uses an HNSW graph (usearch) instead of the exact scan:
   * below it the scan is as fast and exact (see BENCHMARKS.md for the crossover).
   */
  annThreshold?: number;
  /** Score with another collection's statistics (a segment of fresh passages beside the version's main one). */
  collection?: { avgLength: number; idf: Float32Array };
}

export const DEFAULT_ANN_THRESHOLD = 10_000;

/**
 * The signals of an index version, held in memory and built from its passages and vectors: BM25 (the
 * one implementation in packages/ml), TF-IDF cosine over an inverted index, and vector search (an exact
 * scan, or an HNSW graph for large versions). Scores are computed on positions and returned with the
 * caller's row ids.
 */
export function createMemorySignals(
  rows: ReadonlyArray<{ rowid: number; text: string; vector?: Float32Array }>,
  options: MemorySignalOptions = {},
): MemorySignals {
  return runToEnd(memorySignalSteps(rows, options));
}

/**
 * `createMemorySignals` step by step: yields every few dozen passages (and between HNSW batches), so a
 * process that also serves searches can build a version's signals in time slices (`runSliced`).
 */
export function* memorySignalSteps(
  rows: ReadonlyArray<{ rowid: number; text: string; vector?: Float32Array }>,
  options: MemorySignalOptions = {},
): Generator<void, MemorySignals> {
  const n = rows.length;
  const ids = Int32Array.from(rows, (r) => r.rowid);
  const withIds = (hits: ScoredPosition[]): ScoredIndex[] =>
    hits.map((h) => ({ index: ids[h.index]!, score: h.score }));

  const texts = rows.map((r) => r.text);
  const tokenised: string[][] = [];
  for (let pos = 0; pos < n; pos++) {
    if (pos % 8 === 7) yield;
    tokenised.push(terms(texts[pos]!));
  }
  const bm25 = new Bm25Index(
    texts,
    { ...BM25_PARAMETERS, ...(options.collection ? { avgLength: options.collection.avgLength } : {}) },
    tokenised,
  );
  yield;

  const idf = options.collection?.idf ?? (yield* bucketIdfSteps(texts, SPARSE_FEATURES));
  const sparse = yield* sparsePostings(texts, idf);

  const dims = rows.find((r) => r.vector)?.vector?.length ?? 0;
  const vectors = new Float32Array(n * dims);
  rows.forEach((r, pos) => r.vector && vectors.set(r.vector, pos * dims));
  const ann = dims && n >= (options.annThreshold ?? DEFAULT_ANN_THRESHOLD) ? yield* buildHnsw(vectors, n, dims) : null;
  const cosines = new Float32Array(n);

  const keepPos = (keep?: KeepRow) => (keep ? (pos: number) => keep(ids[pos]!) : undefined);

  /** Cosine against every stored vector (the rows `keep` refuses left out). */
  const exact = (vector: Float32Array, k: number, keep?: KeepRow) => {
    for (let pos = 0; pos < n; pos++) {
      const o = pos * dims;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let j = 0;
      for (; j + 3 < dims; j += 4) {
        s0 += vector[j]! * vectors[o + j]!;
        s1 += vector[j + 1]! * vectors[o + j + 1]!;
        s2 += vector[j + 2]! * vectors[o + j + 2]!;
        s3 += vector[j + 3]! * vectors[o + j + 3]!;
      }
      for (; j < dims; j++) s0 += vector[j]! * vectors[o + j]!;
      cosines[pos] = s0 + s1 + s2 + s3;
    }
    if (!keep) return withIds(topOfScores(cosines, null, n, k));
    const kept = Int32Array.from({ length: n }, (_, pos) => pos).filter((pos) => keep(ids[pos]!));
    return withIds(topOfScores(cosines, kept, kept.length, k));
  };

  return {
    stats: { size: n, avgLength: bm25.avgLength, idf, documentFrequency: (term) => bm25.documentFrequency(term) },
    bm25: (query, k, keep, idfOf) =>
      withIds(bm25.search(query, k, { keep: keepPos(keep), ...(idfOf ? { idf: idfOf } : {}) })),
    sparse(query, k, keep) {
      const q = featurize(query, idf, SPARSE_FEATURES);
      return withIds(
        sparse.top(
          Array.from(q.ids, (id, i) => [id, q.weights[i]!] as const),
          k,
          keepPos(keep),
        ),
      );
    },
    dense(vector, k, keep) {
      if (!dims || !n) return [];
      if (ann) {
        // The graph knows no deletions: ask for a few more and drop what `keep` refuses; if too few
        // survive (many rows left out), the exact scan answers.
        const want = Math.min(n, k + 32);
        const m = ann.search(vector, want, 1);
        const hits = Array.from(m.keys, (key, i) => ({ index: ids[Number(key)]!, score: 1 - m.distances[i]! })).filter(
          (h) => !keep || keep(h.index),
        );
        if (hits.length >= Math.min(k, n) || want === n || !keep) return hits.slice(0, k);
        return exact(vector, k, keep);
      }
      return exact(vector, k, keep);
    },
  };
}

/**
 * TF-IDF postings of the texts. Built in a function of its own: the lists it collects are garbage once
 * frozen, and a closure of the signals' scope would keep them alive as long as the signals.
 */
function* sparsePostings(texts: readonly string[], idf: Float32Array): Generator<void, Postings<number>> {
  const lists = postingLists<number>();
  for (let pos = 0; pos < texts.length; pos++) {
    if (pos % 8 === 7) yield;
    const v = featurize(texts[pos]!, idf, SPARSE_FEATURES);
    for (let i = 0; i < v.ids.length; i++) lists.add(pos, v.ids[i]!, v.weights[i]!);
  }
  yield;
  return new Postings(lists.lists, texts.length);
}

/** An HNSW graph over the vectors (cosine), keyed by position. */
function* buildHnsw(vectors: Float32Array, n: number, dims: number): Generator<void, Index> {
  const index = new Index({
    dimensions: dims,
    metric: MetricKind.Cos,
    quantization: ScalarKind.F32,
    connectivity: 16,
    expansion_add: 128,
    expansion_search: 128,
    multi: false,
  });
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  // In batches (each still on every core), so a sliced build gives the event loop back between them.
  for (let start = 0; start < n; start += HNSW_BATCH) {
    const end = Math.min(n, start + HNSW_BATCH);
    index.add(keys.subarray(start, end), vectors.subarray(start * dims, end * dims), 0);
    yield;
  }
  return index;
}

const HNSW_BATCH = 1024;
