import { readFileSync } from "node:fs";
import { NotFoundError, evaluateQuerySet, loadCorpusPassages, parseJudgments, runSystems, type MetricSet } from "@genq/core";
import type { LocalDeps } from "./local-deps.ts";

/** The systems `genq eval --json` reports, in order. */
export const EVAL_SYSTEMS = ["bm25", "base", "tuned", "hybrid"] as const;

export interface EvalResult {
  queries: number;
  systems: Record<(typeof EVAL_SYSTEMS)[number], MetricSet>;
}

/**
 * `genq eval`: score the serving run (or `--run`) on BEIR judgments. Judgments naming unknown queries
 * or documents are refused with the offending lines listed. Nothing is trained on them.
 */
export async function evaluateJudgments(deps: LocalDeps, input: { corpus: string; queries: string; qrels: string; run?: string }): Promise<EvalResult & { runId: string; extra: Record<string, MetricSet> }> {
  const corpus = await deps.repo.getCorpus(input.corpus);
  if (!corpus) throw new NotFoundError(`corpus "${input.corpus}" not found`);
  const runId = input.run ?? corpus.servingRunId;
  if (!runId) throw new NotFoundError(`corpus "${input.corpus}" has no serving run yet: run \`genq run\` first`);
  const run = await deps.repo.getRun(runId);
  if (!run || run.corpus !== corpus.name) throw new NotFoundError(`run "${runId}" not found in corpus "${corpus.name}"`);
  if (!run.artifacts.indexVersion || !run.artifacts.modelId) throw new NotFoundError(`run "${runId}" has no index (it is ${run.state})`);
  const documents = new Set((await loadCorpusPassages(deps, corpus.name)).map((p) => p.documentId));
  const judged = parseJudgments(readFileSync(input.queries, "utf8"), readFileSync(input.qrels, "utf8"), documents);
  const systems = await runSystems(deps.pipeline.evaluationDeps, run, run.artifacts.indexVersion, run.artifacts.modelId);
  const result = await evaluateQuerySet("judgments", "user judgments", judged, systems, [], "hybrid");
  const pick = (name: string) => result.systems[name]!.metrics;
  return {
    runId,
    queries: result.queries,
    systems: { bm25: pick("bm25"), base: pick("base"), tuned: pick("tuned"), hybrid: pick("hybrid") },
    extra: Object.fromEntries(Object.keys(result.systems).filter((s) => !(EVAL_SYSTEMS as readonly string[]).includes(s)).map((s) => [s, pick(s)])),
  };
}

/** A readable table of an evaluation. */
export function formatEval(r: Awaited<ReturnType<typeof evaluateJudgments>>): string {
  const rows = { ...r.systems, ...r.extra };
  return [
    `run ${r.runId} on ${r.queries} judged queries`,
    `  ${"system".padEnd(8)} ${["nDCG@10", "MRR@10", "R@10", "R@100"].map((h) => h.padStart(8)).join("")}`,
    ...Object.entries(rows).map(([n, m]) => `  ${n.padEnd(8)} ${[m["ndcg@10"], m["mrr@10"], m["recall@10"], m["recall@100"]].map((x) => x.toFixed(3).padStart(8)).join("")}`),
  ].join("\n");
}
