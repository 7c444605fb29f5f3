import type { ScoredIndex } from "@genq/core";
import { bucketIdf, featurize, type FeatureOptions } from "@genq/ml";

/** TF-IDF over hashed words and word pairs, all features kept (the untrained lexical-semantic signal). */
export const SPARSE_FEATURES: FeatureOptions = { bucketBits: 18, bigrams: true, maxFeatures: 0 };

export interface SparseScorer {
  search(query: string, k: number): ScoredIndex[];
}

/**
 * Exact TF-IDF cosine over an in-memory inverted index, built from a version's passages. Scores are in
 * [0, 1]; ids are the caller's row ids.
 */
export function createSparseScorer(rows: ReadonlyArray<{ rowid: number; text: string }>): SparseScorer {
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
    search(query, k) {
      const q = featurize(query, idf, SPARSE_FEATURES);
      const scores = new Map<number, number>();
      for (let i = 0; i < q.ids.length; i++) {
        const p = postings.get(q.ids[i]!);
        if (!p) continue;
        const w = q.weights[i]!;
        for (let j = 0; j < p.rows.length; j++) scores.set(p.rows[j]!, (scores.get(p.rows[j]!) ?? 0) + w * p.weights[j]!);
      }
      return [...scores].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
    },
  };
}
