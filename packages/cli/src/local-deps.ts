import { join } from "node:path";
import {
  advanceRuns,
  chunkDocument,
  parseDocumentKey,
  reconcileRuns,
  refreshDocument,
  retrainIfDue,
  startRun,
  systemClock,
  type EngineDeps,
  type EventHandler,
  type GenqEvent,
  type PipelineRepository,
  type StageExecutors,
} from "@genq/core";
import {
  createEmbeddedQueryGenerator,
  createFolderBlobStore,
  createLocalJobs,
  createSqliteJobLeases,
  releaseJobLeases,
  type LocalJobs,
  createLocalPipeline,
  createSqliteOutbox,
  createSqlitePipelineRepository,
  createSqliteSearchIndex,
  createWorkerTrainer,
  type SqliteSearchIndexOptions,
  openDatabase,
} from "@genq/local";
import { DEFAULT_MODEL_CONFIG } from "@genq/ml";
import { parseDocument } from "@genq/parsing";
import type { LocalConfig } from "./config.ts";
import { createPinoLogger } from "./pino-logger.ts";

export interface LocalHooks {
  /** Open the database read-only and write nothing (commands that only look, e.g. `genq status`). */
  readOnly?: boolean;
  /** Who holds this process's job leases (a pipeline thread's, given back by its process if it dies). */
  leaseOwner?: string;
  onTrainingProgress?: (p: { runId: string; fraction: number; loss: number }) => void;
  /** How the search index hands versions to another thread that serves them (the pipeline thread). */
  index?: Pick<SqliteSearchIndexOptions, "beforePromote">;
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
  const publishListeners = new Set<() => void>();
  const outbox = createSqliteOutbox(db, { logger, clock, onPublish: () => publishListeners.forEach((f) => f()) });
  // A read-only look (genq status) starts no jobs and may not create the lease table.
  const leases = hooks.readOnly ? undefined : createSqliteJobLeases(db, { owner: hooks.leaseOwner, logger });
  const jobs = (seams.jobs ?? ((j) => j))(createLocalJobs({ events: outbox, logger, leases }));
  const index = createSqliteSearchIndex(db, { fusion: config.fusion, ...hooks.index });
  const chunkDeps = {
    blobs,
    repo,
    events: outbox,
    parse: parseDocument,
    clock,
    logger,
    maxDocumentBytes: Math.round(config.maxDocumentMb * 1024 * 1024),
    chunking: {
      targetWords: config.chunkWords,
      maxWords: Math.max(config.chunkWords, Math.round(config.chunkWords * 1.5)),
      overlapSentences: config.chunkOverlapSentences,
    },
    defaultTenant: config.tenant,
  };
  const queryGenerator = createEmbeddedQueryGenerator({
    repo,
    blobs,
    events: outbox,
    jobs,
    options: {
      queriesPerPassage: config.queriesPerPassage,
      heldOutFraction: config.heldOutFraction,
      seed: config.seed,
    },
  });
  const trainer = createWorkerTrainer({
    repo,
    blobs,
    events: outbox,
    jobs,
    clock,
    logger,
    model: { ...DEFAULT_MODEL_CONFIG, seed: config.seed },
    train: { epochs: config.epochs, seed: config.seed },
    hardNegatives: config.hardNegatives,
    onProgress: hooks.onTrainingProgress,
  });
  const pipeline = createLocalPipeline({
    repo,
    blobs,
    events: outbox,
    clock,
    logger,
    jobs,
    index,
    queryGenerator,
    trainer,
    gate: { minGain: config.gateMinGain },
    pendingUploads: async (corpus) => outbox.pendingCount({ corpus, type: "document.uploaded" }),
  });
  const retireModel = { retire: pipeline.deployer.retire };
  const engine: EngineDeps = {
    repo,
    events: outbox,
    clock,
    logger,
    blobs,
    stages: (seams.stages ?? ((x) => x))(pipeline.stages),
    tidy: { index, deployer: retireModel },
  };
  /** What deleting documents and corpora, and keeping the serving index fresh, need. */
  const documentDeps = {
    repo,
    blobs,
    index,
    events: outbox,
    clock,
    logger,
    encoderFor: pipeline.encoderFor,
    deployer: retireModel,
  };

  /**
   * Routes each event to the use case that handles it. An upload is chunked and then, without a run,
   * brought into the serving index (embedded with the serving model); the retraining policy may then
   * start a run.
   */
  const handle: EventHandler = async (event: GenqEvent) => {
    if (event.type === "document.uploaded") {
      await chunkDocument(chunkDeps, event);
      const target = parseDocumentKey(event.detail.key);
      if (target) {
        await refreshDocument(documentDeps, { corpus: target.corpus, path: target.path });
        await retrainIfDue(
          { ...documentDeps, startRun: (input) => startRun(engine, input) },
          { corpus: target.corpus, policy: config.retrainAfter },
        );
      }
      return;
    }
    if (event.type === "document.deleted")
      await retrainIfDue(
        { ...documentDeps, startRun: (input) => startRun(engine, input) },
        { corpus: event.corpus, policy: config.retrainAfter },
      );
    await advanceRuns(engine, event);
    // Documents that arrived while a run worked found it in progress: once it has ended they may be due.
    if (event.type === "run.succeeded" || event.type === "run.failed" || event.type === "run.rejected")
      await retrainIfDue(
        { ...documentDeps, startRun: (input) => startRun(engine, input) },
        { corpus: event.corpus, policy: config.retrainAfter },
      );
  };

  /** One reconciler pass over every unfinished run (at start and on a timer in every process that advances runs). */
  const reconcile = () => reconcileRuns({ ...engine, deadlines: config.stageDeadlines });

  return {
    config,
    db,
    logger,
    clock,
    blobs,
    repo,
    outbox,
    jobs,
    index,
    pipeline,
    chunkDeps,
    engine,
    handle,
    reconcile,
    documentDeps,
    encoderFor: pipeline.encoderFor,
    /** Be told whenever this process stores events; returns the way to stop being told. */
    onPublished(listener: () => void): () => void {
      publishListeners.add(listener);
      return () => publishListeners.delete(listener);
    },
    /** Give back the job leases of a holder that died (a pipeline thread). */
    releaseJobLeases: (owner: string) => releaseJobLeases(db, owner),
    close: () => {
      leases?.close();
      db.close();
    },
  };
}

export type LocalDeps = ReturnType<typeof createLocalDeps>;
