import { readFileSync } from "node:fs";
import {
  DEFAULT_SETUP,
  NotFoundError,
  SYSTEM_OF_SETUP,
  evaluateQuerySet,
  loadCorpusPassages,
  parseJudgments,
  setupSystems,
  type MetricSet,
  type RunReport,
  type ServingSetup,
} from "@genq/core";
import type { LocalDeps } from "./local-deps.ts";

export interface EvalResult {
  queries: number;
  /** Every system of the report, in report order (bm25, tfidf, base, tuned, hybrid-untuned, hybrid). */
  systems: Record<string, MetricSet>;
  /** What users get: the setup the run serves in, and its scores. */
  served: { setup: ServingSetup["name"] } & MetricSet;
}

/**
 * `genq eval`: score the serving run (or `--run`) on BEIR judgments — every system the run's report
 * shows, each setup with the weights the run calibrated, and the setup that serves. Judgments naming
 * unknown queries or documents are refused with the offending lines listed. Nothing is trained on them.
 */
export async function evaluateJudgments(
  deps: LocalDeps,
  input: { corpus: string; queries: string; qrels: string; run?: string },
): Promise<EvalResult & { runId: string }> {
  const corpus = await deps.repo.getCorpus(input.corpus);
  if (!corpus) throw new NotFoundError(`corpus "${input.corpus}" not found`);
  const runId = input.run ?? corpus.servingRunId;
  if (!runId) throw new NotFoundError(`corpus "${input.corpus}" has no serving run yet: run \`genq run\` first`);
  const run = await deps.repo.getRun(runId);
  if (!run || run.corpus !== corpus.name)
    throw new NotFoundError(`run "${runId}" not found in corpus "${corpus.name}"`);
  if (!run.artifacts.indexVersion || !run.artifacts.modelId)
    throw new NotFoundError(`run "${runId}" has no index (it is ${run.state})`);
  const kept = await deps.index.counts(run.artifacts.indexVersion).then(
    () => true,
    (error: unknown) => {
      if (error instanceof NotFoundError) return false;
      throw error;
    },
  );
  if (!kept)
    throw new NotFoundError(
      `run "${runId}" no longer has an index: a run's index is given back once another run serves, or when it is rejected or fails; score the serving run${corpus.servingRunId ? ` (${corpus.servingRunId})` : ""} instead`,
    );
  const documents = new Set((await loadCorpusPassages(deps, corpus.name)).map((p) => p.documentId));
  const judged = parseJudgments(readFileSync(input.queries, "utf8"), readFileSync(input.qrels, "utf8"), documents);
  const report =
    run.artifacts.reportKey && (await deps.blobs.head(run.artifacts.reportKey))
      ? (JSON.parse(new TextDecoder().decode(await deps.blobs.get(run.artifacts.reportKey))) as RunReport)
      : null;
  const setups = report?.calibration ?? [];
  const servedSetup =
    (runId === corpus.servingRunId ? corpus.servingSetup : null) ?? report?.gate.setup ?? DEFAULT_SETUP;
  const { systems } = await setupSystems(deps.pipeline.evaluationDeps, run, {
    indexVersion: run.artifacts.indexVersion,
    modelId: run.artifacts.modelId,
    setups,
  });
  const result = await evaluateQuerySet("judgments", "user judgments", judged, systems, [], "hybrid");
  const metrics = Object.fromEntries(Object.entries(result.systems).map(([name, s]) => [name, s.metrics]));
  return {
    runId,
    queries: result.queries,
    systems: metrics,
    served: { setup: servedSetup.name, ...metrics[SYSTEM_OF_SETUP[servedSetup.name]]! },
  };
}

/** A readable table of an evaluation. */
export function formatEval(r: Awaited<ReturnType<typeof evaluateJudgments>>): string {
  const row = (n: string, m: MetricSet) =>
    `  ${n.padEnd(15)} ${[m["ndcg@10"], m["mrr@10"], m["recall@10"], m["recall@100"]].map((x) => x.toFixed(3).padStart(8)).join("")}`;
  return [
    `run ${r.runId} on ${r.queries} judged queries`,
    `  ${"system".padEnd(15)} ${["nDCG@10", "MRR@10", "R@10", "R@100"].map((h) => h.padStart(8)).join("")}`,
    ...Object.entries(r.systems).map(([n, m]) => row(n, m)),
    `  served: ${r.served.setup}`,
  ].join("\n");
}
