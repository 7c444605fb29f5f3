import type { ScoredIndex } from "@genq/core";
import { Bm25Index, bucketIdf, featurize, topK, type FeatureOptions } from "@genq/ml";

/** TF-IDF over hashed words and word pairs, all features kept (the untrained lexical-semantic signal). */
export const SPARSE_FEATURES: FeatureOptions = { bucketBits: 18, bigrams: true, maxFeatures: 0 };

/** BM25 as Lucene and Elasticsearch score it (k1 1.2, b 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5))). */
export const BM25_PARAMETERS = { k1: 1.2, b: 0.75 };

export interface MemorySignals {
  /** BM25 over title + text (stemmed, stop words dropped). */
  bm25(query: string, k: number): ScoredIndex[];
  /** Exact TF-IDF cosine over hashed words and word pairs, in [0, 1]. */
  sparse(query: string, k: number): ScoredIndex[];
}

/**
 * The lexical signals of an index version, held in memory and built from its passages: BM25 (with
 * Lucene's idf, which stays positive for common terms — SQLite FTS5's bm25() uses the Robertson idf that
 * drops to zero for terms in half the documents, which measurably weakens it) and TF-IDF cosine over an
 * inverted index. Ids are the caller's row ids.
 */
export function createMemorySignals(rows: ReadonlyArray<{ rowid: number; text: string }>): MemorySignals {
  const bm25 = new Bm25Index(rows.map((r) => r.text), BM25_PARAMETERS);
  const idf = bucketIdf(rows.map((r) => r.text), SPARSE_FEATURES);
  const postings = new Map<number, { rows: number[]; weights: number[] }>();
  rows.forEach((r) => {
    const v = featurize(r.text, idf, SPARSE_FEATURES);
    for (let i = 0; i < v.ids.length; i++) {
      let p = postings.get(v.ids[i]!);
      if (!p) postings.set(v.ids[i]!, (p = { rows: [], weights: [] }));
      p.rows.push(r.rowid);
      p.weights.push(v.weights[i]!);
    }
  });
  return {
    bm25: (query, k) => bm25.search(query, k).map((h) => ({ index: rows[h.index]!.rowid, score: h.score })),
    sparse(query, k) {
      const q = featurize(query, idf, SPARSE_FEATURES);
      const scores = new Map<number, number>();
      for (let i = 0; i < q.ids.length; i++) {
        const p = postings.get(q.ids[i]!);
        if (!p) continue;
        const w = q.weights[i]!;
        for (let j = 0; j < p.rows.length; j++) scores.set(p.rows[j]!, (scores.get(p.rows[j]!) ?? 0) + w * p.weights[j]!);
      }
      return topK(scores, k);
    },
  };
}
