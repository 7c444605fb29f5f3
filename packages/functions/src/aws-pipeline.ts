import type { SageMakerClient } from "@aws-sdk/client-sagemaker";
import {
  completeIndexBuild,
  completeQueryGeneration,
  countUnprocessedUploads,
  createPipelineStages,
  eventIds,
  isTerminal,
  keys,
  reasonOf,
  runResources,
  trainedBy,
  type CoreDeps,
  type Encoder,
  type EvaluationHooks,
  type ModelDeployer,
  type PassageIndexer,
  type QueryGenerator,
  type SearchIndex,
  type StageExecutors,
  type StageWork,
  type Trainer,
} from "@genq/core";
import {
  collectTransformOutput,
  describeJob,
  embeddingTransformRequest,
  endpointNames,
  indexEmbeddingOutputPart,
  jobNames,
  startEmbeddingTransform,
  stopJob,
  stoppedJobReason,
  transformOutputParts,
  transformPaths,
  writePassageManifest,
  writeQueryGenerationInputs,
  type createSageMakerDeployer,
  type JobStatus,
} from "@genq/aws";

export interface AwsPipelineDeps extends CoreDeps {
  index: SearchIndex;
  sagemaker: SageMakerClient;
  /** SageMaker's own job starters (idempotent: a job that exists is not created twice). */
  queryGenerator: QueryGenerator;
  trainer: Trainer;
  deployer: ReturnType<typeof createSageMakerDeployer>;
  encoderFor(modelId: string): Promise<Encoder>;
  bucket: string;
  queriesPerPassage: number;
  heldOutFraction: number;
  seed: number;
  embedding: { instanceType: string; dimensions: number };
  gateMinGain: number;
  evaluation?: EvaluationHooks;
}

/** On Lambda, stage work runs inline: its error reaches the run engine, which fails the stage or retries. */
export const inlineWork: StageWork = { run: async (_job, work) => work() };

/** A job SageMaker reports as failed or stopped fails its stage with SageMaker's reason (or why it stopped). */
function failedJob(name: string, job: JobStatus): Error {
  return new Error(
    job.failureReason ??
      (job.status === "Stopped" ? stoppedJobReason(name, job.secondaryStatus) : `the SageMaker job ${name} failed`),
  );
}

/**
 * A job created while its run was being given back (cancelled between the stage's Describe and its
 * Create) would find no retirer left to stop it: reading the run after the start closes that gap.
 */
async function stopIfRunEnded(
  d: Pick<AwsPipelineDeps, "repo" | "sagemaker" | "logger">,
  kind: "transform" | "training",
  name: string,
  runId: string,
): Promise<void> {
  const run = await d.repo.getRun(runId);
  if (!run || !isTerminal(run.state)) return;
  const result = await stopJob(d.sagemaker, kind, name);
  if (result.outcome === "failed")
    d.logger.error("could not stop a SageMaker job of a run that has ended", {
      runId,
      job: name,
      reason: reasonOf(result.error),
    });
}

/**
 * Turn a finished query-generation transform into the run's pairs and held-out queries and complete the
 * stage (`queries.generated`). Called on the transform's state-change event and by a re-issued stage that
 * finds the job already completed (its event lost).
 */
export async function finishQueryGeneration(
  d: Pick<AwsPipelineDeps, "blobs" | "events" | "heldOutFraction" | "seed">,
  corpus: string,
  runId: string,
): Promise<void> {
  const generated = await collectTransformOutput(d.blobs, {
    corpus,
    runId,
    heldOutFraction: d.heldOutFraction,
    seed: d.seed,
  });
  await completeQueryGeneration(d, { corpus, runId, ...generated });
}

/**
 * Write a finished embedding transform's vectors into the run's index version, one output part at a
 * time in bounded batches, then complete the stage (`index.built`). Passages of documents chunked after
 * the run began generating queries are marked untrained (its model never saw them).
 */
export async function finishEmbedding(
  d: Pick<AwsPipelineDeps, "blobs" | "events" | "repo" | "clock" | "index" | "embedding">,
  corpus: string,
  runId: string,
): Promise<void> {
  const indexVersion = runResources.indexVersion(runId);
  const trained = await trainedBy(d.repo, runId);
  let passages = 0;
  for (const key of await transformOutputParts(d.blobs, transformPaths.embeddingOutput(corpus, runId))) {
    passages += await indexEmbeddingOutputPart(d.blobs, d.index, {
      version: indexVersion,
      key,
      dimensions: d.embedding.dimensions,
      trained,
    });
  }
  await completeIndexBuild(d, { corpus, runId, modelId: runResources.modelId(runId), indexVersion, passages });
}

/**
 * The AWS runtime's pipeline: core's stages over SageMaker and OpenSearch. Every stage asks SageMaker
 * first (Describe*): a job that does not exist is started, one in progress is left alone, one that
 * finished is collected as its state-change event would have been, one that failed fails the stage with
 * SageMaker's reason — so the scheduled reconciler, which re-issues each run's command, also recovers
 * jobs whose events were lost. Inputs are written from the corpus's passage objects as they are in S3
 * (per document, and a manifest for the embedding transform), so no Lambda holds the corpus.
 */
export function createAwsPipeline(d: AwsPipelineDeps): StageExecutors {
  const queryGenerator: QueryGenerator = {
    async start(input) {
      const name = jobNames.queries(input.runId);
      const job = await describeJob(d.sagemaker, "transform", name);
      if (job?.status === "Completed") await finishQueryGeneration(d, input.corpus, input.runId);
      else if (job?.status === "Failed" || job?.status === "Stopped") throw failedJob(name, job);
      else if (!job) {
        await writeQueryGenerationInputs(d.blobs, {
          corpus: input.corpus,
          runId: input.runId,
          passagesKeys: input.passageKeys,
          queriesPerPassage: d.queriesPerPassage,
        });
        await d.queryGenerator.start(input);
        await stopIfRunEnded(d, "transform", name, input.runId);
      }
      return { jobId: name };
    },
  };
  const trainer: Trainer = {
    async start(input) {
      const name = jobNames.training(input.runId);
      const job = await describeJob(d.sagemaker, "training", name);
      if (job?.status === "Completed") {
        const modelKey = keys.model(input.corpus, input.runId);
        await d.events.publish([
          {
            id: eventIds.trainingCompleted(input.runId),
            type: "training.job.completed",
            corpus: input.corpus,
            detail: { runId: input.runId, jobId: name, modelKey },
          },
        ]);
      } else if (job?.status === "Failed" || job?.status === "Stopped") throw failedJob(name, job);
      else if (!job) {
        await d.trainer.start(input);
        await stopIfRunEnded(d, "training", name, input.runId);
      }
      return { jobId: name };
    },
  };
  const deployer: ModelDeployer = {
    async deploy({ corpus, runId, modelKey }) {
      // SageMaker writes the model under <OutputPath>/<job name>/output/model.tar.gz.
      const endpoint = await d.deployer.deploy(
        corpus,
        runId,
        `s3://${d.bucket}/${modelKey}${jobNames.training(runId)}/output/model.tar.gz`,
      );
      const status = await d.deployer.status(runId);
      if (status === "Failed") throw new Error(`the endpoint ${endpoint} failed to start`);
      return { ready: status === "InService", endpoint };
    },
    async retire(modelId) {
      const runId = runResources.runOfModel(modelId);
      if (runId) await d.deployer.retire(runId);
    },
  };
  const indexer: PassageIndexer = {
    async start({ corpus, runId, indexVersion, tenant, passageKeys }) {
      const name = jobNames.embedding(runId);
      const job = await describeJob(d.sagemaker, "transform", name);
      if (job?.status === "Completed") return finishEmbedding(d, corpus, runId);
      if (job?.status === "Failed" || job?.status === "Stopped") throw failedJob(name, job);
      if (job) return;
      await d.index.createVersion({ corpus, version: indexVersion, dimensions: d.embedding.dimensions, tenant });
      await writePassageManifest(d.blobs, { bucket: d.bucket, corpus, runId, passagesKeys: passageKeys });
      // The transform runs on the SageMaker model the deployment created for the run (the archive with code/inference.py).
      const request = embeddingTransformRequest(
        { bucket: d.bucket, instanceType: d.embedding.instanceType },
        corpus,
        runId,
        endpointNames.model(runId),
        { kind: "manifest" },
      );
      await startEmbeddingTransform(d.sagemaker, request);
      await stopIfRunEnded(d, "transform", name, runId);
    },
  };
  return createPipelineStages({
    ...d,
    queryGenerator,
    trainer,
    deployer,
    indexer,
    work: inlineWork,
    gate: { minGain: d.gateMinGain },
    pendingUploads: (corpus) => countUnprocessedUploads(d, corpus),
  });
}
