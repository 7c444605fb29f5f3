import { SERVING_SETUPS, type Run, type ServingSetup } from "../domain.ts";
import type { Encoder, SearchHit, SearchIndex } from "../ports.ts";
import type { SetupCalibration } from "../report/report.ts";
import type { HybridWeights } from "../search/fusion.ts";
import { createTimeSlicer, runSliced } from "../pipeline/time-slice.ts";
import { DEFAULT_SETUP, calibrationSteps, type SignalQuery } from "./calibrate.ts";
import type { Ranker } from "./rankers.ts";
import { fuseSignals, indexSignals, type SignalLists } from "./signals.ts";

/** What building a run's systems needs: the index, encoders, and the runtime's extra signal and systems. */
export interface SystemDeps {
  index: SearchIndex;
  encoderFor(modelId: string): Promise<Encoder>;
  /** The runtime's untrained TF-IDF signal over an index version (absent where there is none). */
  sparse?: (version: string, query: string, k: number) => Promise<SearchHit[]>;
  /** Further systems to report (the local runtime adds the base model). */
  extraSystems?(run: Run, indexVersion: string): Promise<Record<string, Ranker>>;
}

/** The system name each setup is reported under. */
export const SYSTEM_OF_SETUP: Record<ServingSetup["name"], string> = {
  lexical: "bm25",
  semantic: "tuned",
  "hybrid-untuned": "hybrid-untuned",
  hybrid: "hybrid",
};

const ONLY = (signal: keyof HybridWeights): HybridWeights => ({ lexical: 0, sparse: 0, semantic: 0, [signal]: 1 });

/** A version's signals per query, fetched once and shared by every system fused from them. */
export function cachedSignals(deps: SystemDeps, corpus: string, version: string, encoder: Encoder) {
  const source = indexSignals(deps, { corpus, version, encoder });
  const cache = new Map<string, Promise<SignalLists>>();
  return (query: string): Promise<SignalLists> => {
    let s = cache.get(query);
    if (!s) cache.set(query, (s = source(query)));
    return s;
  };
}

const fusedRanker =
  (signals: (q: string) => Promise<SignalLists>, weights: HybridWeights): Ranker =>
  async (q) =>
    fuseSignals(await signals(q), weights);

/**
 * Calibrate every setup the runtime can serve on the validation queries: single signals keep weight 1,
 * hybrids get the grid weighting that scores best (the preferred weighting when there is nothing to
 * calibrate on). Setups needing the TF-IDF signal are left out where the runtime has none.
 */
export async function calibrateSetups(
  signals: (q: string) => Promise<SignalLists>,
  validation: ReadonlyArray<{ text: string; judgments: SignalQuery["judgments"] }>,
  hasSparse: boolean,
): Promise<Array<{ setup: ServingSetup; validationNdcg: number }>> {
  // Calibration shares the process with searches on the local runtime: it gives the event loop back as it goes.
  const slice = createTimeSlicer();
  const queries: SignalQuery[] = [];
  for (const q of validation) {
    await slice();
    queries.push({ lists: await signals(q.text), judgments: q.judgments });
  }
  const out: Array<{ setup: ServingSetup; validationNdcg: number }> = [];
  for (const name of SERVING_SETUPS) {
    const calibrated = await runSliced(calibrationSteps(name, queries, hasSparse), slice);
    if (calibrated) out.push(calibrated);
  }
  return out;
}

/**
 * The systems a run's index version is reported as, in report order: BM25, the untrained TF-IDF signal
 * (where the runtime has one), the runtime's extra systems, the tuned model alone, hybrid without the
 * tuned model, hybrid — each setup fused with the weights it was calibrated to.
 */
export async function setupSystems(
  deps: SystemDeps,
  run: Run,
  input: { indexVersion: string; modelId: string; setups: ReadonlyArray<Pick<SetupCalibration, "setup">> },
): Promise<{ systems: Record<string, Ranker>; signals: (q: string) => Promise<SignalLists> }> {
  const signals = cachedSignals(deps, run.corpus, input.indexVersion, await deps.encoderFor(input.modelId));
  const weightsOf = (name: ServingSetup["name"]) => input.setups.find((s) => s.setup.name === name)?.setup.weights;
  const systems: Record<string, Ranker> = { bm25: fusedRanker(signals, ONLY("lexical")) };
  if (deps.sparse) systems.tfidf = fusedRanker(signals, ONLY("sparse"));
  Object.assign(systems, (await deps.extraSystems?.(run, input.indexVersion)) ?? {});
  systems.tuned = fusedRanker(signals, ONLY("semantic"));
  const untuned = weightsOf("hybrid-untuned");
  if (untuned) systems["hybrid-untuned"] = fusedRanker(signals, untuned);
  systems.hybrid = fusedRanker(signals, weightsOf("hybrid") ?? DEFAULT_SETUP.weights);
  return { systems, signals };
}

/** The serving index ranked the way it serves (its setup's weights), or null when nothing serves yet. */
export async function servingSystem(
  deps: SystemDeps & { repo: { getIndexVersion(id: string): Promise<{ modelId: string } | null> } },
  input: { corpus: string; except: string; setup: ServingSetup | null },
): Promise<{ version: string; rank: Ranker } | null> {
  const version = await deps.index.servingVersion(input.corpus);
  if (!version || version === input.except) return null;
  const info = await deps.repo.getIndexVersion(version);
  if (!info) return null;
  const signals = cachedSignals(deps, input.corpus, version, await deps.encoderFor(info.modelId));
  return { version, rank: fusedRanker(signals, (input.setup ?? DEFAULT_SETUP).weights) };
}
