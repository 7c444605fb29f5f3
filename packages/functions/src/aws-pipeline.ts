import {
  countUnprocessedUploads, createPipelineStages, keys, loadCorpusPassages, passageText, runResources, type BlobStore, type Clock, type Encoder,
  type EventPublisher, type Logger, type ModelDeployer, type PassageIndexer, type PipelineRepository, type QueryGenerator, type SearchIndex,
  type StageExecutors, type StageWork, type Trainer,
} from "@genq/core";
import { jobNames, transformInputLine, type createSageMakerDeployer } from "@genq/aws";

export interface AwsPipelineDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  index: SearchIndex;
  queryGenerator: QueryGenerator;
  trainer: Trainer;
  deployer: ReturnType<typeof createSageMakerDeployer>;
  encoderFor(modelId: string): Promise<Encoder>;
  /** Start the bulk-embedding batch transform of a run's passages on its model. */
  startEmbedding(corpus: string, runId: string, modelId: string): Promise<void>;
  bucket: string;
  queriesPerPassage: number;
  embeddingDimensions: number;
  gateMinGain: number;
}

/** On Lambda, stage work runs inline: its error reaches the run engine, which fails the stage or retries. */
export const inlineWork: StageWork = { run: async (_job, work) => work() };

/**
 * The AWS runtime's pipeline: core's stages over SageMaker and OpenSearch. Query generation and training
 * are SageMaker jobs whose state changes continue the run; deploying creates the run's endpoint (its
 * "Endpoint State Change" continues, or the reconciler finds it in service); indexing embeds the passages
 * with a batch transform on the run's model, whose completion fills the OpenSearch index version;
 * evaluation runs in the Lambda that handles `index.built`.
 */
export function createAwsPipeline(d: AwsPipelineDeps): StageExecutors {
  const queryGenerator: QueryGenerator = {
    async start(input) {
      const passages = await loadCorpusPassages(d, input.corpus);
      const lines = passages.map((p) => transformInputLine({ id: p.id, text: passageText(p) }, d.queriesPerPassage));
      await d.blobs.put(`${keys.run(input.corpus, input.runId)}transform-input/part-0000.jsonl`, lines.join("\n") + "\n");
      return d.queryGenerator.start(input);
    },
  };
  const deployer: ModelDeployer = {
    async deploy({ corpus, runId, modelKey }) {
      // SageMaker writes the model under <OutputPath>/<job name>/output/model.tar.gz.
      const endpoint = await d.deployer.deploy(corpus, runId, `s3://${d.bucket}/${modelKey}${jobNames.training(runId)}/output/model.tar.gz`);
      return { ready: (await d.deployer.status(runId)) === "InService", endpoint };
    },
    async retire(modelId) {
      const runId = runResources.runOfModel(modelId);
      if (runId) await d.deployer.retire(runId);
    },
  };
  const indexer: PassageIndexer = {
    async start({ corpus, runId, modelId, indexVersion, tenant }) {
      const passages = await loadCorpusPassages(d, corpus);
      await d.index.createVersion({ corpus, version: indexVersion, dimensions: d.embeddingDimensions, tenant });
      await d.blobs.put(`${keys.run(corpus, runId)}embed-input/part-0000.jsonl`, passages.map((p) => JSON.stringify({ passageId: p.id, inputs: [passageText(p)], kind: "passage" })).join("\n") + "\n");
      await d.startEmbedding(corpus, runId, modelId);
    },
  };
  return createPipelineStages({
    ...d,
    queryGenerator,
    deployer,
    indexer,
    work: inlineWork,
    gate: { minGain: d.gateMinGain },
    pendingUploads: (corpus) => countUnprocessedUploads(d, corpus),
  });
}
