// Lambda: SageMaker Training / Transform / Endpoint state changes (EventBridge) → the run's next step.
import { completeIndexBuild, completeQueryGeneration, failStage, isTransient, loadCorpusPassages, reasonOf, runResources, trainedBy } from "@genq/core";
import { collectTransformOutput, indexEmbeddingOutput } from "@genq/aws";
import { awsDeps } from "../aws-deps.ts";
import { createSageMakerStateChangeHandler } from "../sagemaker-state-change.ts";

export const handler = createSageMakerStateChangeHandler(
  async () => awsDeps().handlerDeps,
  async (d, job) => {
    const { config: c, index } = awsDeps();
    const stage = job.job === "queries" ? "generating" : "indexing";
    try {
      if (job.job === "queries") {
        const generated = await collectTransformOutput(d.blobs, { corpus: job.corpus, runId: job.runId, heldOutFraction: c.GENQ_HELDOUT_FRACTION, seed: c.GENQ_SEED });
        await completeQueryGeneration(d, { corpus: job.corpus, runId: job.runId, ...generated });
      } else {
        const indexVersion = runResources.indexVersion(job.runId);
        const passages = new Map((await loadCorpusPassages(d, job.corpus)).map((p) => [p.id, p]));
        const trained = await trainedBy(d.repo, job.runId);
        const count = await indexEmbeddingOutput(d.blobs, index, { corpus: job.corpus, runId: job.runId, version: indexVersion, dimensions: c.GENQ_EMBEDDING_DIMENSIONS, passages, trained });
        await completeIndexBuild(d, { corpus: job.corpus, runId: job.runId, modelId: runResources.modelId(job.runId), indexVersion, passages: count });
      }
    } catch (error) {
      // An output that cannot be read fails the run's stage with the reason; a passing fault is retried.
      if (isTransient(error)) throw error;
      d.logger.error("transform output unusable", { runId: job.runId, stage, reason: reasonOf(error) });
      await failStage(d, { id: job.runId, corpus: job.corpus }, stage, reasonOf(error));
    }
  },
);
