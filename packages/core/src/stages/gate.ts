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

/**
 * The order in which setups are preferred, chosen on the development collections' real questions
 * (BENCHMARKS.md): held-out synthetic queries copy words from their passages, so they rank setups
 * differently from real questions — there the hybrid with the tuned model did best, BM25 + TF-IDF next,
 * and the tuned model alone worst. The test split decides which setups are safe, not which is best.
 */
export const SETUP_PREFERENCE: ReadonlyArray<ServingSetup["name"]> = [
  "hybrid",
  "hybrid-untuned",
  "lexical",
  "semantic",
];

/**
 * How far below the run's own BM25 (mean nDCG@10 on the test split) a setup may score and still serve.
 * 0: a setup that held-out queries place below BM25 never serves — where they do, real questions
 * tended to agree (a corpus on which BM25 + TF-IDF was worse than BM25 on both).
 */
export const DEFAULT_GATE_TOLERANCE = 0;

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const f3 = (x: number) => x.toFixed(3);

/**
 * The quality gate chooses the serving setup on the test split of the held-out queries (never the
 * queries the weights were calibrated on). Setups are taken in preference order (SETUP_PREFERENCE); the
 * first that is safe serves. Safe means: its mean nDCG@10 is not below the run's own BM25 by more than
 * `tolerance` nor significantly worse than it (paired randomisation test, p < 0.05), and on a later run
 * not significantly worse than the index that serves now (with `minGain` > 0: at least that much better
 * than it).
 * - A first run always ends with a served index: BM25 itself when no other setup is safe.
 * - A later run with no safe setup is not promoted: the serving index keeps serving.
 */
export function chooseServingSetup(input: {
  candidates: readonly ScoredSetup[];
  /** The run's own BM25 on the same queries. */
  bm25: readonly number[];
  /** The index that serves now, ranked the way it serves, on the same queries; null on a first run. */
  serving: { name: string; perQuery: readonly number[] } | null;
  minGain: number;
  tolerance?: number;
  queries: number;
}): GateDecision {
  const tolerance = input.tolerance ?? DEFAULT_GATE_TOLERANCE;
  const bm25 = mean(input.bm25);
  const ordered = SETUP_PREFERENCE.flatMap((name) => input.candidates.filter((c) => c.setup.name === name));
  const on = `on ${input.queries} held-out test queries`;
  const problems: string[] = [];
  const safe = (c: ScoredSetup): boolean => {
    const score = mean(c.perQuery);
    const vsBm25 = pairedRandomisationTest(c.perQuery, [...input.bm25]);
    if (
      c.setup.name !== "lexical" &&
      (score < bm25 - tolerance - 1e-12 || (vsBm25.meanDifference < 0 && vsBm25.pValue < 0.05))
    ) {
      problems.push(`${c.setup.name} ${f3(score)} is below BM25 ${f3(bm25)}`);
      return false;
    }
    if (!input.serving) return true;
    const vsServing = pairedRandomisationTest(c.perQuery, [...input.serving.perQuery]);
    if (
      input.minGain > 0
        ? vsServing.meanDifference < input.minGain
        : vsServing.meanDifference < 0 && vsServing.pValue < 0.05
    ) {
      problems.push(
        `${c.setup.name} ${f3(score)} ${input.minGain > 0 ? `gains less than the required ${input.minGain} over` : "is significantly worse than"} the ${input.serving.name} ${f3(mean(input.serving.perQuery))} (p = ${vsServing.pValue.toFixed(3)})`,
      );
      return false;
    }
    return true;
  };
  const chosen = ordered.find(safe);
  const baselineName = input.serving?.name ?? "bm25";
  const baselinePerQuery = input.serving?.perQuery ?? input.bm25;
  const because = problems.length ? `${problems.join("; ")}; ` : "";
  if (!chosen && !input.serving) {
    const lexical = input.candidates.find((c) => c.setup.name === "lexical");
    const setup = lexical?.setup ?? { name: "lexical" as const, weights: { lexical: 1, sparse: 0, semantic: 0 } };
    return {
      promote: true,
      setup,
      comparedTo: baselineName,
      score: bm25,
      baseline: bm25,
      pValue: 1,
      reason: `${because}BM25 serves this first index (${on})`,
    };
  }
  if (!chosen) {
    const first = ordered[0] ?? input.candidates[0]!;
    const p = pairedRandomisationTest(first.perQuery, [...baselinePerQuery]);
    return {
      promote: false,
      setup: first.setup,
      comparedTo: baselineName,
      score: mean(first.perQuery),
      baseline: mean(baselinePerQuery),
      pValue: p.pValue,
      reason: `${because}the serving index keeps serving (${on})`,
    };
  }
  const score = mean(chosen.perQuery);
  const p = pairedRandomisationTest(chosen.perQuery, [...baselinePerQuery]);
  const vs = `${chosen.setup.name} nDCG@10 ${f3(score)} vs ${baselineName} ${f3(mean(baselinePerQuery))} ${on} (p = ${p.pValue.toFixed(3)})`;
  const what = input.serving ? `so ${chosen.setup.name} serves` : `${chosen.setup.name} serves this first index`;
  return {
    promote: true,
    setup: chosen.setup,
    comparedTo: baselineName,
    score,
    baseline: mean(baselinePerQuery),
    pValue: p.pValue,
    reason: `${vs}: ${because}${what}`,
  };
}
