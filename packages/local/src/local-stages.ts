import {
  evaluateRun,
  loadCorpusPassages,
  promoteIndex,
  passageText,
  type BlobStore,
  type Clock,
  type EventPublisher,
  type Logger,
  type Passage,
  type PipelineRepository,
  type QueryGenerator,
  type Trainer,
  type Ranker,
  type StageExecutors,
} from "@genq/core";
import { StaticModel, dot, loadStaticModel, pca2, type LocalJobs, type ModelManifest } from "@genq/ml";
import type { createSqliteSearchIndex } from "./sqlite-search-index.ts";

export interface LocalStagesDeps {
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
}

/** Loaded models by model id (one process keeps each model once). */
export function createModelCache(blobs: BlobStore, repo: PipelineRepository) {
  const cache = new Map<string, Promise<{ model: StaticModel; manifest: ModelManifest }>>();
  return (modelId: string) => {
    let m = cache.get(modelId);
    if (!m) {
      m = (async () => {
        const version = await repo.getModelVersion(modelId);
        if (!version) throw new Error(`model ${modelId} is not registered`);
        return loadStaticModel(blobs, version.artifactKey);
      })();
      m.catch(() => cache.delete(modelId));
      cache.set(modelId, m);
    }
    return m;
  };
}

const INDEX_BATCH = 256;

/** The untrained base model of a tuned model: the same featurisation and seed, the initial table. */
export const baseModel = (manifest: ModelManifest, tuned: StaticModel): StaticModel =>
  StaticModel.initialise({ bucketBits: manifest.hashing.bucketBits, bigrams: manifest.hashing.bigrams, maxFeatures: manifest.hashing.maxFeatures, dims: manifest.dims, seed: manifest.seed }, tuned.idf);

/**
 * The local pipeline's stages: query generation and training run as background jobs (worker thread for
 * training); "deploying" loads and verifies the model; indexing embeds every passage into a new index
 * version; evaluation compares BM25, TF-IDF, base, tuned and hybrid and applies the quality gate;
 * promotion switches the serving index atomically and records it on the corpus.
 */
export function createLocalStages(deps: LocalStagesDeps): StageExecutors & {
  modelFor: ReturnType<typeof createModelCache>;
  systemsFor(corpus: string, indexVersion: string, modelId: string): Promise<Record<string, Ranker>>;
} {
  const modelFor = createModelCache(deps.blobs, deps.repo);
  const fail = (corpus: string, runId: string, stage: string, error: unknown) =>
    deps.events.publish([{ id: `stage.failed:${runId}:${stage}`, type: "stage.failed", corpus, detail: { runId, stage, reason: error instanceof Error ? error.message : String(error) } }]);

  const denseRanker = (model: StaticModel, passages: Passage[]): Ranker => {
    const vectors = passages.map((p) => model.encode(passageText(p)));
    return async (query) => {
      const q = model.encode(query);
      return vectors.map((v, i) => ({ documentId: passages[i]!.documentId, score: dot(q, v) })).sort((a, b) => b.score - a.score).slice(0, 100);
    };
  };
  const indexRanker = (version: string, corpus: string, mode: "lexical" | "semantic" | "hybrid", model: StaticModel): Ranker => async (query) =>
    (await deps.index.search({ corpus, version, query, vector: model.encode(query), k: 100, mode })).map((h) => ({ documentId: h.passage.documentId, score: h.score }));

  /** The systems a report compares, for one index version and its model. */
  const systemsFor = async (corpus: string, indexVersion: string, modelId: string): Promise<Record<string, Ranker>> => {
    const { model, manifest } = await modelFor(modelId);
    const passages = await loadCorpusPassages(deps, corpus);
    return {
      bm25: indexRanker(indexVersion, corpus, "lexical", model),
      tfidf: async (q) => (await deps.index.sparseSearch(indexVersion, q, 100)).map((h) => ({ documentId: h.passage.documentId, score: h.score })),
      base: denseRanker(baseModel(manifest, model), passages),
      tuned: indexRanker(indexVersion, corpus, "semantic", model),
      hybrid: indexRanker(indexVersion, corpus, "hybrid", model),
    };
  };

  return {
    modelFor,
    systemsFor,
    async generateQueries({ corpus, runId }) {
      await deps.queryGenerator.start({ corpus, runId, passageKeys: [] });
    },
    async startTraining({ corpus, runId, pairsKey }) {
      await deps.trainer.start({ corpus, runId, pairsKey, passageKeys: [] });
    },
    async deployModel({ corpus, runId, modelKey }) {
      const modelId = `${runId}-model`;
      await loadStaticModel(deps.blobs, modelKey);
      await deps.repo.putModelVersion({ id: modelId, corpus, runId, kind: "tuned", artifactKey: modelKey, endpoint: null, createdAt: deps.clock.now().toISOString() });
      await deps.events.publish([{ id: `model.deployed:${runId}`, type: "model.deployed", corpus, detail: { runId, modelId, endpoint: null } }]);
    },
    async buildIndex({ corpus, runId, modelId }) {
      deps.jobs.run(`${runId}-index`, async () => {
        try {
          const version = `${runId}-index`;
          const { model } = await modelFor(modelId);
          const passages = await loadCorpusPassages(deps, corpus);
          const tenant = (await deps.repo.getCorpus(corpus))?.tenant ?? "";
          await deps.index.createVersion({ corpus, version, dimensions: model.dimensions, tenant });
          for (let i = 0; i < passages.length; i += INDEX_BATCH) {
            const batch = passages.slice(i, i + INDEX_BATCH);
            await deps.index.upsert(version, batch.map((passage) => ({ passage, vector: model.encode(passageText(passage)) })));
          }
          await deps.repo.putIndexVersion({ id: version, corpus, runId, modelId, passageCount: passages.length, createdAt: deps.clock.now().toISOString() });
          await deps.events.publish([{ id: `index.built:${runId}`, type: "index.built", corpus, detail: { runId, indexVersion: version, passages: passages.length } }]);
        } catch (error) {
          await fail(corpus, runId, "indexing", error);
        }
      });
    },
    async evaluate({ corpus, runId, indexVersion }) {
      deps.jobs.run(`${runId}-evaluation`, async () => {
        try {
          await evaluateRun(
            {
              ...deps,
              gate: { servingMode: "hybrid", minGain: deps.gate.minGain },
              systems: async (run) => systemsFor(corpus, indexVersion, run.artifacts.modelId ?? `${run.id}-model`),
              servingRanker: async (c, except) => {
                const serving = await deps.index.servingVersion(c);
                if (!serving || serving === except) return null;
                const info = await deps.repo.getIndexVersion(serving);
                if (!info) return null;
                const { model } = await modelFor(info.modelId);
                return { name: serving, rank: indexRanker(serving, c, "hybrid", model) };
              },
              extras: async (run, query) => {
                const { model, manifest } = await modelFor(run.artifacts.modelId ?? `${run.id}-model`);
                const passages = (await loadCorpusPassages(deps, corpus)).filter((_, i, all) => i % Math.ceil(all.length / 400) === 0);
                const base = baseModel(manifest, model);
                const project = (m: StaticModel, name: string) => {
                  const vectors = passages.map((p) => m.encode(passageText(p)));
                  const q = m.encode(query ?? "");
                  const near = new Set(vectors.map((v, i) => [i, dot(q, v)] as const).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([i]) => i));
                  const points = pca2([...vectors, q]);
                  return { name, points: points.map((p, i) => ({ ...p, neighbour: near.has(i), ...(i === vectors.length ? { query: true } : {}) })) };
                };
                const training = (manifest.training ?? {}) as Record<string, number>;
                return {
                  projection: query ? { query, models: [project(base, "base (untrained)"), project(model, "tuned")] } : null,
                  modelCard: manifest as unknown as Record<string, unknown>,
                  facts: {
                    "training pairs": Number(training.pairs ?? 0),
                    "training time (s)": Number((training.seconds ?? 0).toFixed(1)),
                    "training throughput (pairs/s)": Math.round(training.pairsPerSecond ?? 0),
                    model: `static embedding, ${manifest.dims} dims, 2^${manifest.hashing.bucketBits} hashed features`,
                  },
                };
              },
            },
            { runId, indexVersion },
          );
        } catch (error) {
          await fail(corpus, runId, "evaluating", error);
        }
      });
    },
    async promoteIndex({ corpus, runId, indexVersion }) {
      await promoteIndex(deps, { corpus, runId, indexVersion });
    },
  };
}

