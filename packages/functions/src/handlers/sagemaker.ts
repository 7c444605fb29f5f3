// Lambda: SageMaker Training / Transform / Endpoint state changes (EventBridge) → the run's next step.
import { awsDeps } from "../aws-deps.ts";
import { createSageMakerStateChangeHandler } from "../sagemaker-state-change.ts";
import { collectFinishedTransform } from "../transform-completion.ts";

export const handler = createSageMakerStateChangeHandler(
  async () => awsDeps().handlerDeps,
  (d, job) => collectFinishedTransform({ ...awsDeps().pipeline, ...d }, job),
);
