import {
  evaluateRun,
  keys,
  loadCorpusPassages,
  promoteIndex,
  passageText,

  type BlobStore,
  type Clock,
  type Encoder,
  type EventPublisher,
  type Logger,
  type PipelineRepository,
  type Ranker,
  type SearchIndex,
  type StageExecutors,
} from "@genq/core";
import { jobNames, transformInputLine, type createSageMakerDeployer } from "@genq/aws";
import type { QueryGenerator, Trainer } from "@genq/core";

export interface AwsStagesDeps {
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
  gateMinGain: number;
}

/**
 * The AWS runtime's stages: query generation and training are SageMaker jobs whose state changes
 * continue the pipeline; deploying creates the run's endpoint (its "Endpoint State Change" continues);
 * indexing embeds the passages with a batch transform on the run's model (its completion fills a new
 * OpenSearch index version, see the SageMaker handler); evaluation compares BM25,
 * tuned and hybrid on the held-out queries; promotion swaps the alias and retires the superseded endpoint.
 */
export function createAwsStages(d: AwsStagesDeps): StageExecutors {
  const fail = (corpus: string, runId: string, stage: string, error: unknown) =>
    d.events.publish([{ id: `stage.failed:${runId}:${stage}`, type: "stage.failed", corpus, detail: { runId, stage, reason: error instanceof Error ? error.message : String(error) } }]);
  const ranker = (corpus: string, version: string, mode: "lexical" | "semantic" | "hybrid", encoder: Encoder): Ranker => async (query) => {
    const [vector] = mode === "lexical" ? [undefined] : await encoder.encode([query], "query");
    return (await d.index.search({ corpus, version, query, vector, k: 100, mode })).map((h) => ({ documentId: h.passage.documentId, score: h.score }));
  };
  return {
    async generateQueries({ corpus, runId }) {
      const passages = await loadCorpusPassages(d, corpus);
      await d.blobs.put(`${keys.run(corpus, runId)}transform-input/part-0000.jsonl`, passages.map((p) => transformInputLine({ id: p.id, text: passageText(p) }, d.queriesPerPassage)).join("\n") + "\n");
      await d.queryGenerator.start({ corpus, runId, passageKeys: [] });
    },
    async startTraining({ corpus, runId, pairsKey }) {
      await d.trainer.start({ corpus, runId, pairsKey, passageKeys: [] });
    },
    async deployModel({ corpus, runId, modelKey }) {
      // SageMaker writes the model under <OutputPath>/<job name>/output/model.tar.gz.
      const endpoint = await d.deployer.deploy(corpus, runId, `s3://${d.bucket}/${modelKey}${jobNames.training(runId)}/output/model.tar.gz`);
      await d.repo.putModelVersion({ id: endpoint, corpus, runId, kind: "tuned", artifactKey: modelKey, endpoint, createdAt: d.clock.now().toISOString() });
    },
    async buildIndex({ corpus, runId, modelId }) {
      const encoder = await d.encoderFor(modelId);
      const passages = await loadCorpusPassages(d, corpus);
      const tenant = (await d.repo.getCorpus(corpus))?.tenant ?? "";
      await d.index.createVersion({ corpus, version: `${runId}-index`, dimensions: encoder.dimensions, tenant });
      await d.blobs.put(`${keys.run(corpus, runId)}embed-input/part-0000.jsonl`, passages.map((p) => JSON.stringify({ passageId: p.id, inputs: [passageText(p)], kind: "passage" })).join("\n") + "\n");
      await d.startEmbedding(corpus, runId, modelId);
    },
    async evaluate({ corpus, runId, indexVersion }) {
      try {
        await evaluateRun(
          {
            ...d,
            gate: { servingMode: "hybrid", minGain: d.gateMinGain },
            systems: async (run) => {
              const encoder = await d.encoderFor(run.artifacts.modelId!);
              return { bm25: ranker(corpus, indexVersion, "lexical", encoder), tuned: ranker(corpus, indexVersion, "semantic", encoder), hybrid: ranker(corpus, indexVersion, "hybrid", encoder) };
            },
            servingRanker: async (c, except) => {
              const serving = await d.index.servingVersion(c);
              const info = serving && serving !== except ? await d.repo.getIndexVersion(serving) : null;
              return info ? { name: serving!, rank: ranker(c, serving!, "hybrid", await d.encoderFor(info.modelId)) } : null;
            },
          },
          { runId, indexVersion },
        );
      } catch (error) {
        await fail(corpus, runId, "evaluating", error);
      }
    },
    async promoteIndex({ corpus, runId, indexVersion }) {
      const previous = await promoteIndex(d, { corpus, runId, indexVersion });
      if (previous) await d.deployer.retire(previous);
    },
  };
}

