import {
  createInProcessIndexer,
  createPipelineStages,
  type BlobStore,
  type Clock,
  type EventPublisher,
  type Logger,
  type ModelDeployer,
  type PipelineRepository,
  type QueryGenerator,
  type Encoder,
  type StageExecutors,
  type SystemDeps,
  type Trainer,
} from "@genq/core";
import type { LocalJobs } from "./jobs/local-jobs.ts";
import { staticEncoder } from "./jobs/static-encoder.ts";
import { localEvaluationHooks } from "./local-evaluation.ts";
import { createModelCache, createStaticModelDeployer, type ModelCache } from "./model-cache.ts";
import type { createSqliteSearchIndex } from "./sqlite-search-index.ts";

export interface LocalPipelineDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  jobs: LocalJobs;
  index: ReturnType<typeof createSqliteSearchIndex>;
  queryGenerator: QueryGenerator;
  trainer: Trainer;
  gate: { minGain: number };
  pendingUploads(corpus: string): Promise<number>;
}

/**
 * The local runtime's pipeline: core's stages over the local adapters — embedded query generation and
 * worker-thread training as background jobs, static models "deployed" by loading and verifying them,
 * passages indexed in process, evaluation in the background with the TF-IDF and base-model systems added.
 */
export function createLocalPipeline(deps: LocalPipelineDeps): {
  stages: StageExecutors;
  modelFor: ModelCache;
  /** Deploys and retires the pipeline's models (retiring deletes a model's artifact). */
  deployer: ModelDeployer;
  encoderFor(modelId: string): Promise<Encoder>;
  /** What scoring a run's systems needs outside the pipeline (`genq eval`). */
  evaluationDeps: SystemDeps;
} {
  const modelFor = createModelCache(deps.blobs, deps.repo);
  const encoderFor = async (modelId: string) => staticEncoder((await modelFor(modelId)).model);
  const evaluation = localEvaluationHooks({ ...deps, modelFor });
  const deployer = createStaticModelDeployer({ blobs: deps.blobs, repo: deps.repo, cache: modelFor });
  const stages = createPipelineStages({
    ...deps,
    work: deps.jobs,
    encoderFor,
    deployer,
    indexer: createInProcessIndexer({ ...deps, work: deps.jobs, encoderFor }),
    evaluation,
  });
  return {
    stages,
    modelFor,
    deployer,
    encoderFor,
    evaluationDeps: { index: deps.index, encoderFor, sparse: evaluation.sparse, extraSystems: evaluation.extraSystems },
  };
}
