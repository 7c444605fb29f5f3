/** A scored candidate identified by a number (a row id or a passage index). */
export interface ScoredIndex {
  index: number;
  score: number;
}

/**
 * Normalised score fusion: each ranking's scores are min-max normalised to [0, 1] over its own
 * candidates, multiplied by its weight and summed (a candidate missing from a ranking gets 0 there).
 * Ties are broken by index. Rankings must be sorted best first.
 */
export function fuseScores(rankings: ReadonlyArray<{ weight: number; hits: readonly ScoredIndex[] }>): ScoredIndex[] {
  const out = new Map<number, number>();
  for (const { weight, hits } of rankings) {
    if (!hits.length || weight === 0) continue;
    const max = hits[0]!.score;
    const min = hits[hits.length - 1]!.score;
    const span = max - min;
    for (const h of hits) out.set(h.index, (out.get(h.index) ?? 0) + weight * (span > 0 ? (h.score - min) / span : 1));
  }
  return [...out].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
}

/** Reciprocal-rank fusion (k = 60 by default): Σ weight / (k + rank). */
export function reciprocalRankFusion(
  rankings: ReadonlyArray<{ weight: number; hits: readonly ScoredIndex[] }>,
  k = 60,
): ScoredIndex[] {
  const out = new Map<number, number>();
  for (const { weight, hits } of rankings)
    hits.forEach((h, rank) => out.set(h.index, (out.get(h.index) ?? 0) + weight / (k + rank + 1)));
  return [...out].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
}

/** Weights of the hybrid mix: BM25, the untrained TF-IDF cosine and the tuned dense model. */
export interface HybridWeights {
  lexical: number;
  sparse: number;
  semantic: number;
}

/** Chosen on a development split of synthetic queries (see BENCHMARKS.md), never on real test questions. */
export const DEFAULT_HYBRID_WEIGHTS: HybridWeights = { lexical: 0.4, sparse: 0.3, semantic: 0.3 };
