import { Worker } from "node:worker_threads";
import { keys, loadCorpusPassages, passageText, readJsonLines, type BlobStore, type Clock, type EventPublisher, type Logger, type PipelineRepository, type QueryPair, type Trainer } from "@genq/core";
import type { StaticModelConfig } from "../model/static-model.ts";
import type { TrainingExample, TrainOptions } from "../train/trainer.ts";
import { Bm25Index } from "../text/bm25.ts";
import type { LocalJobs } from "./local-jobs.ts";
import type { TrainingJobInput, TrainingJobMessage } from "./training-worker.ts";

export interface WorkerTrainerDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  jobs: LocalJobs;
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
 * announces it (or `stage.failed` with the reason).
 */
export function createWorkerTrainer(deps: WorkerTrainerDeps): Trainer {
  return {
    async start({ corpus, runId, pairsKey }) {
      const jobId = `${runId}-training`;
      deps.jobs.run(jobId, async () => {
        const modelKey = keys.model(corpus, runId);
        const finished = await deps.blobs.head(`${modelKey}manifest.json`);
        if (!finished) {
          const passages = await loadCorpusPassages(deps, corpus);
          const index = new Map(passages.map((p, i) => [p.id, i]));
          const pairs = await readJsonLines<QueryPair>(deps.blobs, pairsKey);
          const examples = pairs.filter((p) => index.has(p.passageId)).map((p) => ({ query: p.query, passageIndex: index.get(p.passageId)! }));
          if (deps.hardNegatives) mineHardNegatives(examples, passages);
          const input: TrainingJobInput = { passages: passages.map(passageText), examples, model: deps.model, train: deps.train, createdAt: deps.clock.now().toISOString() };
          let result: Extract<TrainingJobMessage, { type: "done" }>;
          try {
            result = await runWorker(input, (m) => deps.onProgress?.({ runId, fraction: m.fraction, loss: m.loss }));
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            await deps.events.publish([{ id: `stage.failed:${runId}:training`, type: "stage.failed", corpus, detail: { runId, stage: "training", reason } }]);
            return;
          }
          await deps.blobs.put(`${modelKey}model.bin`, result.weights);
          // The manifest is written last: its presence marks a complete artifact.
          await deps.blobs.put(`${modelKey}manifest.json`, result.manifest);
          deps.logger.info("training finished", { runId, ...result.stats });
        }
        await deps.events.publish([{ id: `training.job.completed:${runId}`, type: "training.job.completed", corpus, detail: { runId, jobId, modelKey } }]);
      });
      return { jobId };
    },
  };
}

/**
 * Give each example the passage BM25 ranks highest for its query that is not from the positive's
 * document (a passage of the same document could well be a true answer).
 */
export function mineHardNegatives(examples: TrainingExample[], passages: ReadonlyArray<{ documentId: string; title: string; text: string }>): void {
  const bm25 = new Bm25Index(passages.map(passageText));
  for (const e of examples) {
    const positiveDoc = passages[e.passageIndex]!.documentId;
    const negative = bm25.search(e.query, 10).find((h) => passages[h.index]!.documentId !== positiveDoc);
    if (negative) e.negativeIndex = negative.index;
  }
}

function runWorker(input: TrainingJobInput, onProgress: (m: Extract<TrainingJobMessage, { type: "progress" }>) => void) {
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
