import type { ServingSetup } from "../domain.ts";
import { ndcgAt, rankDocuments, type Judgments } from "../metrics/retrieval.ts";
import type { HybridWeights } from "../search/fusion.ts";
import { runToEnd } from "../pipeline/time-slice.ts";
import { fuseSignals, type SignalLists } from "./signals.ts";

/** A query's signals and what is relevant for it. */
export interface SignalQuery {
  lists: SignalLists;
  judgments: Judgments;
}

type Signal = keyof HybridWeights;

/** The signals each setup mixes; the weight grid is searched over these only. */
export const SETUP_SIGNALS: Record<ServingSetup["name"], Signal[]> = {
  lexical: ["lexical"],
  semantic: ["semantic"],
  "hybrid-untuned": ["lexical", "sparse"],
  hybrid: ["lexical", "sparse", "semantic"],
};

/** What calibration keeps unless the validation split shows a clear gain: chosen on development collections' real questions. */
const PREFERRED: Record<ServingSetup["name"], HybridWeights> = {
  lexical: { lexical: 1, sparse: 0, semantic: 0 },
  semantic: { lexical: 0, sparse: 0, semantic: 1 },
  "hybrid-untuned": { lexical: 0.6, sparse: 0.4, semantic: 0 },
  hybrid: { lexical: 0.4, sparse: 0.3, semantic: 0.3 },
};

/** The hybrid's preferred weighting where the runtime has no TF-IDF signal (BM25 and the tuned model). */
const PREFERRED_WITHOUT_SPARSE: HybridWeights = { lexical: 0.6, sparse: 0, semantic: 0.4 };

/** Every weighting of `signals` in steps of `step` where each signal gets at least one step (they sum to 1). */
export function weightGrid(signals: Signal[], step = 0.1): HybridWeights[] {
  const units = Math.round(1 / step);
  const out: HybridWeights[] = [];
  const assign = (i: number, left: number, acc: Partial<HybridWeights>) => {
    const signal = signals[i]!;
    if (i === signals.length - 1) {
      if (left >= 1) out.push({ lexical: 0, sparse: 0, semantic: 0, ...acc, [signal]: +(left * step).toFixed(4) });
      return;
    }
    for (let u = 1; u <= left - (signals.length - 1 - i); u++)
      assign(i + 1, left - u, { ...acc, [signal]: +(u * step).toFixed(4) });
  };
  assign(0, units, {});
  return out;
}

const meanNdcg = (queries: readonly SignalQuery[], weights: HybridWeights) =>
  queries.reduce((s, q) => s + ndcgAt(rankDocuments(fuseSignals(q.lists, weights)), q.judgments, 10), 0) /
  Math.max(1, queries.length);

/** How far calibration may move from the preferred weighting. */
export interface CalibrationOptions {
  /**
   * Mean nDCG@10 by which the best grid weighting must beat the preferred weighting on the validation
   * split to replace it. Held-out synthetic queries rank weightings differently from real questions
   * (BENCHMARKS.md), so small wins on them are noise to real users; 1 keeps the preferred weighting.
   */
  margin: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { margin: 0.02 };

/**
 * Calibrate a setup's fusion weights on validation queries: the preferred weighting, unless the grid
 * weighting with the best mean nDCG@10 beats it by at least `margin` (then that one; the earlier in the
 * grid wins ties). Where the runtime has no TF-IDF signal, hybrid-untuned does not exist (null) and
 * hybrid mixes BM25 with the tuned model.
 */
export function calibrateSetup(
  name: ServingSetup["name"],
  validation: readonly SignalQuery[],
  hasSparse = true,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): CalibratedSetup | null {
  return runToEnd(calibrationSteps(name, validation, hasSparse, options));
}

export type CalibratedSetup = { setup: ServingSetup; validationNdcg: number };

/** `calibrateSetup` step by step: yields after each weighting it scores, so a caller can run it in time slices. */
export function* calibrationSteps(
  name: ServingSetup["name"],
  validation: readonly SignalQuery[],
  hasSparse = true,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): Generator<void, CalibratedSetup | null> {
  // Without the TF-IDF signal (OpenSearch has none), hybrid mixes BM25 and the tuned model only.
  const signals = hasSparse ? SETUP_SIGNALS[name] : SETUP_SIGNALS[name].filter((s) => s !== "sparse");
  if (!hasSparse && name === "hybrid-untuned") return null;
  const preferred = hasSparse || name !== "hybrid" ? PREFERRED[name] : PREFERRED_WITHOUT_SPARSE;
  if (!validation.length) return { setup: { name, weights: preferred }, validationNdcg: 0 };
  const atPreferred = meanNdcg(validation, preferred);
  let best = { weights: preferred, ndcg: atPreferred };
  if (signals.length > 1) {
    for (const weights of weightGrid(signals)) {
      yield;
      const ndcg = meanNdcg(validation, weights);
      if (ndcg > best.ndcg + 1e-12) best = { weights, ndcg };
    }
  }
  return best.ndcg >= atPreferred + options.margin - 1e-12
    ? { setup: { name, weights: best.weights }, validationNdcg: best.ndcg }
    : { setup: { name, weights: preferred }, validationNdcg: atPreferred };
}

/** The setup that serves when nothing was calibrated (no held-out queries, or a corpus served before setups were chosen). */
export const DEFAULT_SETUP: ServingSetup = { name: "hybrid", weights: PREFERRED.hybrid };
