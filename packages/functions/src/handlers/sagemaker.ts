// Lambda: SageMaker Training / Transform / Endpoint state changes (EventBridge) → the run's next step.
import { advanceRuns, parseEvent } from "@genq/core";
import { collectTransformOutput } from "@genq/aws";
import { awsDeps } from "../aws-deps.ts";
import { createSageMakerStateChangeHandler } from "../sagemaker-state-change.ts";

export const handler = createSageMakerStateChangeHandler(
  async () => awsDeps().handlerDeps,
  async (d, job) => {
    const c = awsDeps().config;
    const event = await collectTransformOutput(d.blobs, { corpus: job.corpus, runId: job.runId, heldOutFraction: c.GENQ_HELDOUT_FRACTION, seed: c.GENQ_SEED });
    await advanceRuns({ ...d, pendingUploads: async () => 0 }, parseEvent({ ...event, time: d.clock.now().toISOString() }));
  },
);
