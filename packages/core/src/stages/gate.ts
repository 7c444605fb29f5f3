import type { ServingSetup } from "../domain.ts";
import { pairedRandomisationTest } from "../metrics/significance.ts";

/** A setup's per-query nDCG@10 on the test split. */
export interface ScoredSetup {
  setup: ServingSetup;
  perQuery: number[];
}

export interface GateDecision {
  promote: boolean;
  /** The setup that serves if the run is promoted. */
  setup: ServingSetup;
  reason: string;
  comparedTo: string;
  score: number;
  baseline: number;
  pValue: number;
}

/** How much a setup asks of the serving side: of equally good setups the simplest serves. */
const COST: Record<ServingSetup["name"], number> = { lexical: 0, "hybrid-untuned": 1, semantic: 2, hybrid: 3 };
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const f3 = (x: number) => x.toFixed(3);

/**
 * The quality gate chooses the serving setup. On the test split of the held-out queries (never the
 * queries the weights were calibrated on), the best-scoring setup is compared, query by query, with what
 * serves now — or BM25 on a first run:
 * - a first run always ends with a served index: the best setup, or BM25 itself when the best is
 *   significantly worse than BM25 (paired randomisation test, p < 0.05);
 * - a later run is promoted unless its best setup is significantly worse than the serving index; with
 *   `minGain` > 0 it must beat the serving index by at least that much.
 */
export function chooseServingSetup(input: {
  candidates: readonly ScoredSetup[];
  baseline: { name: string; perQuery: readonly number[] };
  firstRun: boolean;
  minGain: number;
  queries: number;
}): GateDecision {
  const ranked = [...input.candidates].sort((a, b) => mean(b.perQuery) - mean(a.perQuery) || COST[a.setup.name] - COST[b.setup.name]);
  const best = ranked[0]!;
  const score = mean(best.perQuery);
  const baseline = mean(input.baseline.perQuery);
  const { meanDifference, pValue } = pairedRandomisationTest(best.perQuery, [...input.baseline.perQuery]);
  const significantlyWorse = meanDifference < 0 && pValue < 0.05;
  const on = `on ${input.queries} held-out test queries`;
  const vs = `${best.setup.name} nDCG@10 ${f3(score)} vs ${input.baseline.name} ${f3(baseline)} ${on} (p = ${pValue.toFixed(3)})`;
  const common = { comparedTo: input.baseline.name, score, baseline, pValue };
  if (input.firstRun) {
    if (significantlyWorse) {
      const lexical = input.candidates.find((c) => c.setup.name === "lexical")!;
      return { ...common, promote: true, setup: lexical.setup, score: mean(lexical.perQuery), reason: `${vs}: significantly worse, so BM25 serves this first index` };
    }
    return { ...common, promote: true, setup: best.setup, reason: `${vs}: ${best.setup.name} serves this first index` };
  }
  if (input.minGain > 0) {
    return meanDifference >= input.minGain
      ? { ...common, promote: true, setup: best.setup, reason: `${vs}: gains at least ${input.minGain}, so ${best.setup.name} serves` }
      : { ...common, promote: false, setup: best.setup, reason: `${vs}: gains less than the required ${input.minGain}; the serving index keeps serving` };
  }
  return significantlyWorse
    ? { ...common, promote: false, setup: best.setup, reason: `${vs}: significantly worse; the serving index keeps serving` }
    : { ...common, promote: true, setup: best.setup, reason: `${vs}: not significantly worse, so ${best.setup.name} serves` };
}
