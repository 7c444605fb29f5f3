import type { ServingSetup } from "../domain.ts";
import type { Interval } from "../metrics/bootstrap.ts";
import type { MetricName, MetricSet } from "../metrics/retrieval.ts";
import type { HeldoutSummary } from "../stages/heldout-queries.ts";

/** One system's results on one query set. */
export interface SystemResult {
  metrics: MetricSet;
  /** nDCG@10 with its 95% bootstrap confidence interval over queries. */
  ndcgInterval?: Interval;
  /** Every metric's 95% bootstrap interval over queries (reports before intervals on every metric lack it). */
  intervals?: Partial<Record<MetricName, Interval>>;
  /** recall@k for k = 1..100 (index 0 is k = 1). */
  recallCurve: number[];
  /** 95% bootstrap intervals of recall@k at a few k (the recall chart's error bars). */
  recallIntervals?: Array<{ k: number; low: number; high: number }>;
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

/** One query of the per-query drill-down; every array runs over `QueryDetails.systems`. */
export interface QueryDetail {
  id: string;
  text: string;
  /** The expected (relevant) documents, as indices into `QueryDetails.documents` (at most 20 listed). */
  relevant: number[];
  /** How many documents are relevant (may exceed `relevant.length`). */
  relevantCount: number;
  /** Per system: [nDCG@10, MRR@10, recall@10, recall@100], rounded to 4 decimals. */
  metrics: number[][];
  /** Per system: the 1-based rank of the first expected document within the top 100, or null. */
  firstRelevant: Array<number | null>;
  /** Per system: the top 10 documents, as indices into `QueryDetails.documents`. */
  top: number[][];
}

/**
 * The per-query drill-down of one query set, bounded in size: at most `MAX_DETAIL_QUERIES` queries (of
 * `total`), 10 results per system, document ids stored once.
 */
export interface QueryDetails {
  systems: string[];
  documents: string[];
  queries: QueryDetail[];
  total: number;
}

/** Evaluation of every system on one set of queries with judgments. */
export interface QuerySetEvaluation {
  /** A short stable name for the set (`heldout-test`, `judged`): names its exported result files. */
  slug?: string;
  name: string;
  source: "held-out synthetic" | "user judgments";
  queries: number;
  systems: Record<string, SystemResult>;
  significance: Array<{ system: string; against: string; meanDifference: number; pValue: number }>;
  ablation?: Ablation;
  wins: QueryOutcome[];
  losses: QueryOutcome[];
  details?: QueryDetails;
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

/** A per-query result file written beside the report (`runs/<run>/results/<file>`). */
export interface ResultExport {
  file: string;
  /** The query set's slug. */
  set: string;
  /** csv: per-query metrics of every system; trec: one system's TREC run (top 100); qrels: the set's judgments in TREC format. */
  kind: "csv" | "trec" | "qrels";
  system?: string;
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
  gate: {
    promote: boolean;
    reason: string;
    comparedTo: string;
    score: number;
    baseline: number;
    setup?: ServingSetup;
    pValue?: number;
  };
  projection: EmbeddingProjection | null;
  modelCard: Record<string, unknown> | null;
  /** The per-query result files written beside the report (absent in reports written before exports). */
  exports?: ResultExport[];
}
