import { runToEnd, type ScoredIndex } from "@genq/core";
import {
  Bm25Index,
  DEFAULT_BM25,
  bm25Builder,
  featurize,
  sparsePostingsBuilder,
  terms,
  topOfScores,
  type FeatureOptions,
  type ScoredPosition,
} from "@genq/ml";
import { Index, MetricKind, ScalarKind } from "usearch";
import { isPacked, packRows, type PackedRows, type SignalRow } from "./signal-rows.ts";

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
  rows: readonly SignalRow[] | PackedRows,
  options: MemorySignalOptions = {},
): MemorySignals {
  return runToEnd(memorySignalSteps(rows, options));
}

/**
 * `createMemorySignals` step by step: yields every few passages (and between HNSW batches), so a
 * process that also serves searches can build a version's signals in time slices (`runSliced`).
 */
export function* memorySignalSteps(
  rows: readonly SignalRow[] | PackedRows,
  options: MemorySignalOptions = {},
): Generator<void, MemorySignals> {
  const { n, ids, dims, vectors, bm25, idf, sparse, ann } = yield* buildSteps(
    isPacked(rows) ? rows : packRows(rows, rows.length),
    options,
  );
  const withIds = (hits: ScoredPosition[]): ScoredIndex[] =>
    hits.map((h) => ({ index: ids[h.index]!, score: h.score }));
  const cosines = new Float32Array(vectors ? n : 0);

  const keepPos = (keep?: KeepRow) => (keep ? (pos: number) => keep(ids[pos]!) : undefined);

  /** Cosine against every stored vector (the rows `keep` refuses left out). */
  const exact = (vector: Float32Array, k: number, keep?: KeepRow) => {
    if (!vectors) return [];
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
        // The graph knows no deletions: ask for a few more and drop what `keep` refuses; while too few
        // survive (many rows left out), ask for four times as many (at most every row). A graph that cannot
        // reach every row (many equal vectors) answers short even then: the exact scan answers instead.
        for (let want = Math.min(n, k + 32); ; want = Math.min(n, want * 4)) {
          const m = ann.search(vector, want, 1);
          const hits = Array.from(m.keys, (key, i) => ({
            index: ids[Number(key)]!,
            score: 1 - m.distances[i]!,
          })).filter((h) => !keep || keep(h.index));
          if (hits.length >= Math.min(k, n)) return hits.slice(0, k);
          if (want === n) return m.keys.length < n && vectors ? exact(vector, k, keep) : hits.slice(0, k);
        }
      }
      return exact(vector, k, keep);
    },
  };
}

/**
 * The structures the signals search, built from the rows a pass at a time. In a function of its own: what
 * the passes hold (the rows' texts, the builders' lists) is garbage once it returns, where the closures
 * of the signals' scope would keep it alive as long as the signals.
 */
function* buildSteps(rows: PackedRows, options: MemorySignalOptions) {
  const n = rows.size;
  const bm25 = bm25Builder({
    ...BM25_PARAMETERS,
    // A collection without terms (an empty version) has no average to normalise by (every weight would be
    // 0): the segment's own lengths stand in.
    ...(options.collection && options.collection.avgLength > 0 ? { avgLength: options.collection.avgLength } : {}),
  });
  const sparse = sparsePostingsBuilder(SPARSE_FEATURES, options.collection?.idf);
  // Two passes over the texts, each tokenising a text once for both signals: counts, then postings in place.
  for (const pass of ["count", "fill"] as const) {
    for (let pos = 0; pos < n; pos++) {
      if (pos % 8 === 7) yield;
      const ts = terms(rows.text(pos));
      bm25[pass](ts);
      sparse[pass](ts);
    }
    yield;
  }
  const { postings, idf } = sparse.build();
  const { dims, vectors, ids } = rows;
  const ann = dims && n >= (options.annThreshold ?? DEFAULT_ANN_THRESHOLD) ? yield* buildHnsw(vectors, n, dims) : null;
  // The graph holds its own copy of the vectors, but a graph may leave rows unreachable (many equal or
  // near-equal vectors) and answer a search short: the exact scan over this copy answers then.
  return {
    n,
    ids,
    dims,
    vectors,
    bm25: new Bm25Index(bm25.build()),
    idf,
    sparse: postings,
    ann,
  };
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

const HNSW_BATCH = 64;
