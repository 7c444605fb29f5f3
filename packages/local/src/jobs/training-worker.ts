import { parentPort, workerData } from "node:worker_threads";
import {
  StaticModel,
  bucketIdf,
  serialiseModel,
  trainStaticModel,
  type StaticModelConfig,
  type TrainingExample,
  type TrainOptions,
} from "@genq/ml";

/** Input of a training job, as sent to the worker thread. */
export interface TrainingJobInput {
  passages: string[];
  examples: TrainingExample[];
  model: StaticModelConfig;
  train: Partial<TrainOptions>;
  createdAt: string;
}

/** Messages from the worker: progress, then one result or one error. */
export type TrainingJobMessage =
  | { type: "progress"; fraction: number; loss: number; epoch: number }
  | { type: "done"; manifest: string; weights: Uint8Array; stats: Record<string, unknown> }
  | { type: "error"; message: string };

const input = workerData as TrainingJobInput;
try {
  const idf = bucketIdf(input.passages, input.model);
  const model = StaticModel.initialise(input.model, idf);
  let last = 0;
  const stats = trainStaticModel(model, input.passages, input.examples, input.train, (p) => {
    if (p.fraction - last >= 0.02 || p.fraction === 1) {
      last = p.fraction;
      parentPort!.postMessage({ type: "progress", ...p } satisfies TrainingJobMessage);
    }
  });
  const { manifest, weights } = serialiseModel(model, {
    kind: "tuned",
    hyperparameters: { ...input.train, model: input.model },
    training: { ...stats },
    createdAt: input.createdAt,
  });
  parentPort!.postMessage(
    {
      type: "done",
      manifest: JSON.stringify(manifest, null, 2),
      weights,
      stats: { ...stats },
    } satisfies TrainingJobMessage,
    [weights.buffer as ArrayBuffer],
  );
} catch (error) {
  parentPort!.postMessage({
    type: "error",
    message: error instanceof Error ? error.message : String(error),
  } satisfies TrainingJobMessage);
}
