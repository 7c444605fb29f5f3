/** Judgments for one query: document id → graded relevance (> 0 means relevant). */
export type Judgments = ReadonlyMap<string, number>;

/** A scored retrieval result at passage or document level. */
export interface ScoredDocument {
  documentId: string;
  score: number;
}

/**
 * Collapse passage hits to a document ranking: a document's score is its best passage's. Ties are
 * broken by document id (ascending) so metrics are deterministic.
 */
export function rankDocuments(hits: readonly ScoredDocument[]): string[] {
  const best = new Map<string, number>();
  for (const h of hits)
    if (!best.has(h.documentId) || h.score > best.get(h.documentId)!) best.set(h.documentId, h.score);
  return [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id]) => id);
}

const relevant = (judgments: Judgments) => [...judgments.values()].filter((r) => r > 0);

/** nDCG@k with linear gains (trec_eval's ndcg_cut): DCG = Σ rel_i / log2(i + 1). 0 when nothing is relevant. */
export function ndcgAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranking.length); i++) dcg += (judgments.get(ranking[i]!) ?? 0) / Math.log2(i + 2);
  const ideal = relevant(judgments)
    .sort((a, b) => b - a)
    .slice(0, k);
  let idcg = 0;
  ideal.forEach((rel, i) => (idcg += rel / Math.log2(i + 2)));
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Reciprocal rank of the first relevant document within the top k (0 if none). */
export function mrrAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  for (let i = 0; i < Math.min(k, ranking.length); i++) if ((judgments.get(ranking[i]!) ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

/** Fraction of the relevant documents found in the top k. */
export function recallAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  const total = relevant(judgments).length;
  if (total === 0) return 0;
  let found = 0;
  for (let i = 0; i < Math.min(k, ranking.length); i++) if ((judgments.get(ranking[i]!) ?? 0) > 0) found++;
  return found / total;
}

/** 1 if any relevant document is in the top k, else 0. */
export function hitRateAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  return mrrAt(ranking, judgments, k) > 0 ? 1 : 0;
}

export const METRIC_NAMES = ["ndcg@10", "mrr@10", "recall@10", "recall@100"] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type MetricSet = Record<MetricName, number>;

/** The report's standard metrics for one query. */
export function queryMetrics(ranking: readonly string[], judgments: Judgments): MetricSet {
  return {
    "ndcg@10": ndcgAt(ranking, judgments, 10),
    "mrr@10": mrrAt(ranking, judgments, 10),
    "recall@10": recallAt(ranking, judgments, 10),
    "recall@100": recallAt(ranking, judgments, 100),
  };
}

/** Mean of per-query metric sets. */
export function meanMetrics(perQuery: readonly MetricSet[]): MetricSet {
  const out = { "ndcg@10": 0, "mrr@10": 0, "recall@10": 0, "recall@100": 0 } as MetricSet;
  for (const m of perQuery) for (const name of METRIC_NAMES) out[name] += m[name] / perQuery.length;
  return out;
}
