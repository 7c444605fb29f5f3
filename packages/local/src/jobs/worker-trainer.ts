import { Worker } from "node:worker_threads";
import {
  eventIds,
  isTerminal,
  keys,
  loadCorpusPassages,
  passageText,
  readJsonLines,
  runResources,
  type BlobStore,
  type Clock,
  type EventPublisher,
  type Logger,
  type PipelineRepository,
  type QueryPair,
  type StageWork,
  type Trainer,
} from "@genq/core";
import { mineHardNegatives, type StaticModelConfig, type TrainOptions } from "@genq/ml";
import type { TrainingJobInput, TrainingJobMessage } from "./training-worker.ts";

export interface WorkerTrainerDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  jobs: StageWork;
  clock: Clock;
  logger: Logger;
  model: StaticModelConfig;
  train: Partial<TrainOptions>;
  /** Add a BM25-mined hard negative to each pair (off by default: it did not help on the development split). */
  hardNegatives?: boolean;
  onProgress?: (p: { runId: string; fraction: number; loss: number }) => void;
}

/**
 * Trainer that plays SageMaker's part locally: `start` returns a job id at once and trains in a worker
 * thread; the model lands in `runs/<run>/model/` (manifest.json + model.bin) and `training.job.completed`
 * announces it. A worker that throws or dies fails the stage with the reason; a model already trained for
 * the run (a re-issued start) is announced again, not retrained; the model of a run that ended (or whose
 * corpus was deleted) while it trained is dropped.
 */
export function createWorkerTrainer(deps: WorkerTrainerDeps): Trainer {
  return {
    async start({ corpus, runId, pairsKey }) {
      const jobId = runResources.jobId(runId, "training");
      await deps.jobs.run({ runId, corpus, stage: "training" }, async () => {
        const modelKey = keys.model(corpus, runId);
        const finished = await deps.blobs.head(`${modelKey}manifest.json`);
        if (!finished) {
          const passages = await loadCorpusPassages(deps, corpus);
          const index = new Map(passages.map((p, i) => [p.id, i]));
          const pairs = await readJsonLines<QueryPair>(deps.blobs, pairsKey);
          const examples = pairs
            .filter((p) => index.has(p.passageId))
            .map((p) => ({ query: p.query, passageIndex: index.get(p.passageId)! }));
          if (deps.hardNegatives) mineHardNegatives(examples, passages);
          const input: TrainingJobInput = {
            passages: passages.map(passageText),
            examples,
            model: deps.model,
            train: deps.train,
            createdAt: deps.clock.now().toISOString(),
          };
          const result = await runWorker(input, (m) =>
            deps.onProgress?.({ runId, fraction: m.fraction, loss: m.loss }),
          );
          // A run that ended meanwhile (cancelled, past its deadline) was tidied already, and one whose
          // corpus was deleted since is gone with it: nothing would ever retire a model written now.
          const ended = async () => {
            const run = await deps.repo.getRun(runId);
            if (run && !isTerminal(run.state)) return false;
            deps.logger.info("training finished for a run that has ended; its model is not kept", { runId });
            return true;
          };
          if (await ended()) return;
          await deps.blobs.put(`${modelKey}model.bin`, result.weights);
          // The manifest is written last: its presence marks a complete artifact.
          await deps.blobs.put(`${modelKey}manifest.json`, result.manifest);
          // Writing tens of MB takes a while: a run cancelled meanwhile leaves its model to nobody either.
          if (await ended()) return void (await deps.blobs.deletePrefix(modelKey));
          deps.logger.info("training finished", { runId, ...result.stats });
        }
        await deps.events.publish([
          {
            id: eventIds.trainingCompleted(runId),
            type: "training.job.completed",
            corpus,
            detail: { runId, jobId, modelKey },
          },
        ]);
      });
      return { jobId };
    },
  };
}

function runWorker(
  input: TrainingJobInput,
  onProgress: (m: Extract<TrainingJobMessage, { type: "progress" }>) => void,
) {
  return new Promise<Extract<TrainingJobMessage, { type: "done" }>>((resolve, reject) => {
    const worker = new Worker(new URL("./training-worker.mjs", import.meta.url), { workerData: input });
    let settled = false;
    worker.on("message", (m: TrainingJobMessage) => {
      if (m.type === "progress") onProgress(m);
      else if (m.type === "done") {
        settled = true;
        resolve(m);
      } else {
        settled = true;
        reject(new Error(m.message));
      }
    });
    worker.on("error", (e) => {
      settled = true;
      reject(e);
    });
    worker.on("exit", (code) => {
      if (!settled) reject(new Error(`training worker stopped unexpectedly (exit code ${code})`));
    });
  });
}
