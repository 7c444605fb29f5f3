import { failStage, isTransient, reasonOf } from "@genq/core";
import { finishEmbedding, finishQueryGeneration, type AwsPipelineDeps } from "./aws-pipeline.ts";
import type { HandlerDeps } from "./handler-deps.ts";

type Deps = HandlerDeps & Pick<AwsPipelineDeps, "index" | "heldOutFraction" | "seed" | "embedding">;

/**
 * A finished transform job: query generation becomes the run's pairs and held-out queries, the
 * embedding transform fills the run's index version — only while the run is in that stage (a late or
 * duplicate event for a run that has moved on, or that is not this deployment's, changes nothing). An
 * output that cannot be read fails the run's stage with the reason (retrying would not cure it); a
 * passing fault is rethrown so Lambda retries.
 */
export async function collectFinishedTransform(
  d: Deps,
  job: { corpus: string; runId: string; job: "queries" | "embedding" },
): Promise<void> {
  const stage = job.job === "queries" ? "generating" : "indexing";
  // A redelivered or retried Completed event can come after the run has moved on: collecting the output
  // again would index passages of documents deleted since, or recreate an index version already dropped.
  const run = await d.repo.getRun(job.runId);
  if (run?.state !== stage) {
    d.logger.info("completed transform of a run not in its stage ignored", {
      runId: job.runId,
      stage,
      state: run?.state ?? null,
    });
    return;
  }
  try {
    if (job.job === "queries") await finishQueryGeneration(d, job.corpus, job.runId);
    else await finishEmbedding(d, job.corpus, job.runId);
  } catch (error) {
    if (isTransient(error)) throw error;
    d.logger.error("transform output unusable", { runId: job.runId, stage, reason: reasonOf(error) });
    await failStage(d, { id: job.runId, corpus: job.corpus }, stage, reasonOf(error));
  }
}
