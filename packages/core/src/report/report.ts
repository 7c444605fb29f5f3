import type { MetricSet } from "../metrics/retrieval.ts";

/** One system's results on one query set. */
export interface SystemResult {
  metrics: MetricSet;
  /** recall@k for k = 1..100 (index 0 is k = 1). */
  recallCurve: number[];
}

export interface QueryOutcome {
  id: string;
  query: string;
  ndcg: Record<string, number>;
}

/** Evaluation of every system on one set of queries with judgments. */
export interface QuerySetEvaluation {
  name: string;
  source: "held-out synthetic" | "user judgments";
  queries: number;
  systems: Record<string, SystemResult>;
  significance: Array<{ system: string; against: string; meanDifference: number; pValue: number }>;
  wins: QueryOutcome[];
  losses: QueryOutcome[];
}

/** A 2-D projection of passage embeddings, base vs tuned, with one query's neighbours marked. */
export interface EmbeddingProjection {
  query: string;
  models: Array<{ name: string; points: Array<{ x: number; y: number; neighbour: boolean; query?: boolean }> }>;
}

/** The evaluation report of a run: `report.json`, rendered as `report.html`. */
export interface RunReport {
  runId: string;
  corpus: string;
  createdAt: string;
  servingMode: string;
  facts: Record<string, string | number>;
  evaluations: QuerySetEvaluation[];
  gate: { promote: boolean; reason: string; comparedTo: string; score: number; baseline: number };
  projection: EmbeddingProjection | null;
  modelCard: Record<string, unknown> | null;
}
