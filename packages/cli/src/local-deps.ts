import { join } from "node:path";
import { advanceRuns, chunkDocument, reconcileRuns, systemClock, type EngineDeps, type EventHandler, type GenqEvent, type PipelineRepository, type StageExecutors } from "@genq/core";
import {
  createEmbeddedQueryGenerator, createFolderBlobStore, createLocalJobs, type LocalJobs, createLocalPipeline, createSqliteOutbox, createSqlitePipelineRepository,
  createSqliteSearchIndex, createWorkerTrainer, openDatabase,
} from "@genq/local";
import { DEFAULT_MODEL_CONFIG } from "@genq/ml";
import { parseDocument } from "@genq/parsing";
import type { LocalConfig } from "./config.ts";
import { createPinoLogger } from "./pino-logger.ts";

export interface LocalHooks {
  /** Open the database read-only and write nothing (commands that only look, e.g. `genq status`). */
  readOnly?: boolean;
  onTrainingProgress?: (p: { runId: string; fraction: number; loss: number }) => void;
  /** Fault injection for crash tests: wrap the repository, the job runner or the stage executors. */
  seams?: {
    repo?(repo: PipelineRepository): PipelineRepository;
    jobs?(jobs: LocalJobs): LocalJobs;
    stages?(stages: StageExecutors): StageExecutors;
  };
}

/**
 * The local composition root: one data folder holding the bucket (`bucket/`) and the SQLite database
 * (state, outbox, search index). Everything the CLI commands need is built here and nowhere else.
 */
export function createLocalDeps(config: LocalConfig, hooks: LocalHooks = {}) {
  const db = openDatabase(join(config.dataDir, "genq.db"), { readOnly: hooks.readOnly });
  const logger = createPinoLogger(config.logLevel);
  const clock = systemClock;
  const blobs = createFolderBlobStore(join(config.dataDir, "bucket"), { readOnly: hooks.readOnly });
  const seams = hooks.seams ?? {};
  const repo = (seams.repo ?? ((r) => r))(createSqlitePipelineRepository(db));
  const outbox = createSqliteOutbox(db, { logger, clock });
  const jobs = (seams.jobs ?? ((j) => j))(createLocalJobs({ events: outbox, logger }));
  const index = createSqliteSearchIndex(db, { fusion: config.fusion });
  const chunkDeps = {
    blobs,
    repo,
    events: outbox,
    parse: parseDocument,
    clock,
    logger,
    maxDocumentBytes: Math.round(config.maxDocumentMb * 1024 * 1024),
    chunking: { targetWords: config.chunkWords, maxWords: Math.max(config.chunkWords, Math.round(config.chunkWords * 1.5)), overlapSentences: config.chunkOverlapSentences },
    defaultTenant: config.tenant,
  };
  const queryGenerator = createEmbeddedQueryGenerator({ repo, blobs, events: outbox, jobs, options: { queriesPerPassage: config.queriesPerPassage, heldOutFraction: config.heldOutFraction, seed: config.seed } });
  const trainer = createWorkerTrainer({
    repo, blobs, events: outbox, jobs, clock, logger,
    model: { ...DEFAULT_MODEL_CONFIG, seed: config.seed },
    train: { epochs: config.epochs, seed: config.seed },
    hardNegatives: config.hardNegatives,
    onProgress: hooks.onTrainingProgress,
  });
  const pipeline = createLocalPipeline({
    repo, blobs, events: outbox, clock, logger, jobs, index, queryGenerator, trainer,
    gate: { minGain: config.gateMinGain },
    pendingUploads: async (corpus) => outbox.pendingCount({ corpus, type: "document.uploaded" }),
  });
  const engine: EngineDeps = { repo, events: outbox, clock, logger, stages: (seams.stages ?? ((x) => x))(pipeline.stages) };

  /** Routes each event to the use case that handles it. */
  const handle: EventHandler = async (event: GenqEvent) => {
    if (event.type === "document.uploaded") {
      await chunkDocument(chunkDeps, event);
      return;
    }
    await advanceRuns(engine, event);
  };

  /** One reconciler pass over every unfinished run (at start and on a timer in every process that advances runs). */
  const reconcile = () => reconcileRuns({ ...engine, deadlines: config.stageDeadlines });

  return {
    config, db, logger, clock, blobs, repo, outbox, jobs, index, pipeline, chunkDeps, engine, handle, reconcile,
    encoderFor: pipeline.encoderFor,
    close: () => db.close(),
  };
}

export type LocalDeps = ReturnType<typeof createLocalDeps>;
