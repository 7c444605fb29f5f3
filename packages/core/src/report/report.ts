import type { ServingSetup } from "../domain.ts";
import type { Interval } from "../metrics/bootstrap.ts";
import type { MetricSet } from "../metrics/retrieval.ts";
import type { HeldoutSummary } from "../stages/heldout-queries.ts";

/** One system's results on one query set. */
export interface SystemResult {
  metrics: MetricSet;
  /** nDCG@10 with its 95% bootstrap confidence interval over queries. */
  ndcgInterval?: Interval;
  /** recall@k for k = 1..100 (index 0 is k = 1). */
  recallCurve: number[];
}

export interface QueryOutcome {
  id: string;
  query: string;
  ndcg: Record<string, number>;
}

/** What the tuned model adds: hybrid minus hybrid without the tuned model, per query, with its interval. */
export interface Ablation {
  system: string;
  without: string;
  difference: Interval;
}

/** Evaluation of every system on one set of queries with judgments. */
export interface QuerySetEvaluation {
  name: string;
  source: "held-out synthetic" | "user judgments";
  queries: number;
  systems: Record<string, SystemResult>;
  significance: Array<{ system: string; against: string; meanDifference: number; pValue: number }>;
  ablation?: Ablation;
  wins: QueryOutcome[];
  losses: QueryOutcome[];
}

/** A 2-D projection of passage embeddings, base vs tuned, with one query's neighbours marked. */
export interface EmbeddingProjection {
  query: string;
  models: Array<{ name: string; points: Array<{ x: number; y: number; neighbour: boolean; query?: boolean }> }>;
}

/** A serving setup as calibrated on the validation split and scored on the test split. */
export interface SetupCalibration {
  setup: ServingSetup;
  validationNdcg: number;
  testNdcg: number;
}

/** The evaluation report of a run: `report.json`, rendered as `report.html`. */
export interface RunReport {
  runId: string;
  corpus: string;
  createdAt: string;
  /** The name of the setup that serves (or would serve) this run's index. */
  servingMode: string;
  facts: Record<string, string | number>;
  heldout?: HeldoutSummary;
  calibration?: SetupCalibration[];
  evaluations: QuerySetEvaluation[];
  gate: { promote: boolean; reason: string; comparedTo: string; score: number; baseline: number; setup?: ServingSetup; pValue?: number };
  projection: EmbeddingProjection | null;
  modelCard: Record<string, unknown> | null;
}
