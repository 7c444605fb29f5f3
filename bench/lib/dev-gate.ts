/**
 * The evaluation stage's decision on a prepared development collection, with core's own code: every
 * setup calibrated on the held-out validation split (calibrateSetup), scored on the held-out test split,
 * and the gate's choice (chooseServingSetup) as a first run makes it. Then what users get: the real
 * questions scored with the served setup, and with BM25, hybrid without the tuned model and hybrid (each
 * with the weights the run calibrated).
 */
import {
  SERVING_SETUPS,
  SYSTEM_OF_SETUP,
  calibrateSetup,
  chooseServingSetup,
  fuseSignals,
  ndcgAt,
  pairedRandomisationTest,
  rankDocuments,
  type ServingSetup,
} from "@genq/core";
import type { PreparedCollection, PreparedQuery, Split } from "./dev-signals.ts";

export interface GateRule {
  /** Calibration margin (core's CalibrationOptions.margin). */
  margin: number;
  /** The gate's tolerance below BM25 (core's chooseServingSetup). */
  tolerance?: number;
  /** The gate before this version: the setup with the best test mean serves unless significantly worse than BM25. */
  previous?: boolean;
}

export interface GateOutcome {
  setups: ServingSetup[];
  served: ServingSetup;
  reason: string;
  /** system → split → per-query nDCG@10 on real questions (bm25, tfidf, tuned, hybrid-untuned, hybrid, served). */
  real: Record<string, Record<Split, number[]>>;
  /** Served vs BM25 on all of the collection's real questions. */
  servedVsBm25: { difference: number; pValue: number };
}

const perQuery = (qs: readonly PreparedQuery[], w: ServingSetup["weights"]) =>
  qs.map((q) => ndcgAt(rankDocuments(fuseSignals(q.lists, w)), q.judgments, 10));
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const ONLY = {
  lexical: { lexical: 1, sparse: 0, semantic: 0 },
  sparse: { lexical: 0, sparse: 1, semantic: 0 },
  semantic: { lexical: 0, sparse: 0, semantic: 1 },
};

export function gateOutcome(p: PreparedCollection, rule: GateRule, hasSparse = true): GateOutcome {
  const setups = SERVING_SETUPS.flatMap(
    (name) => calibrateSetup(name, p.heldout.validation, hasSparse, { margin: rule.margin })?.setup ?? [],
  );
  const candidates = setups.map((setup) => ({ setup, perQuery: perQuery(p.heldout.test, setup.weights) }));
  const bm25 = perQuery(p.heldout.test, ONLY.lexical);
  let served: ServingSetup;
  let reason: string;
  if (rule.previous) {
    const cost = { lexical: 0, "hybrid-untuned": 1, semantic: 2, hybrid: 3 } as const;
    const best = [...candidates].sort(
      (a, b) => mean(b.perQuery) - mean(a.perQuery) || cost[a.setup.name] - cost[b.setup.name],
    )[0]!;
    const t = pairedRandomisationTest(best.perQuery, bm25);
    served =
      t.meanDifference < 0 && t.pValue < 0.05 ? candidates.find((c) => c.setup.name === "lexical")!.setup : best.setup;
    reason = `best on test ${best.setup.name}`;
  } else {
    const d = chooseServingSetup({
      candidates,
      bm25,
      serving: null,
      minGain: 0,
      tolerance: rule.tolerance,
      queries: bm25.length,
    });
    served = d.setup;
    reason = d.reason;
  }
  const weightsOf = (name: ServingSetup["name"]) => setups.find((s) => s.name === name)?.weights;
  const systems: Record<string, ServingSetup["weights"]> = {
    bm25: ONLY.lexical,
    tfidf: ONLY.sparse,
    tuned: ONLY.semantic,
    hybrid: weightsOf("hybrid")!,
    served: served.weights,
  };
  const untuned = weightsOf("hybrid-untuned");
  if (untuned) systems["hybrid-untuned"] = untuned;
  const real: GateOutcome["real"] = {};
  for (const [name, w] of Object.entries(systems))
    real[name] = { validation: perQuery(p.real.validation, w), test: perQuery(p.real.test, w) };
  const all = (s: string) => [...real[s]!.validation, ...real[s]!.test];
  const t = pairedRandomisationTest(all("served"), all("bm25"));
  return { setups, served, reason, real, servedVsBm25: { difference: t.meanDifference, pValue: t.pValue } };
}

export { SYSTEM_OF_SETUP };
