// Lambda: SageMaker Training / Transform / Endpoint state changes (EventBridge) → the run's next step.
import { advanceRuns, loadCorpusPassages, parseEvent } from "@genq/core";
import { collectTransformOutput, indexEmbeddingOutput } from "@genq/aws";
import { awsDeps } from "../aws-deps.ts";
import { createSageMakerStateChangeHandler } from "../sagemaker-state-change.ts";

export const handler = createSageMakerStateChangeHandler(
  async () => awsDeps().handlerDeps,
  async (d, job) => {
    const { config: c, index } = awsDeps();
    let event;
    if (job.job === "queries") {
      event = await collectTransformOutput(d.blobs, { corpus: job.corpus, runId: job.runId, heldOutFraction: c.GENQ_HELDOUT_FRACTION, seed: c.GENQ_SEED });
    } else {
      const version = `${job.runId}-index`;
      const passages = new Map((await loadCorpusPassages(d, job.corpus)).map((p) => [p.id, p]));
      const count = await indexEmbeddingOutput(d.blobs, index, { corpus: job.corpus, runId: job.runId, version, dimensions: c.GENQ_EMBEDDING_DIMENSIONS, passages });
      const modelId = (await d.repo.getRun(job.runId))?.artifacts.modelId ?? "";
      await d.repo.putIndexVersion({ id: version, corpus: job.corpus, runId: job.runId, modelId, passageCount: count, createdAt: d.clock.now().toISOString() });
      event = { id: `index.built:${job.runId}`, type: "index.built" as const, corpus: job.corpus, detail: { runId: job.runId, indexVersion: version, passages: count } };
    }
    await advanceRuns({ ...d, pendingUploads: async () => 0 }, parseEvent({ ...event, time: d.clock.now().toISOString() }));
  },
);
