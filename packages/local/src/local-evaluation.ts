import {
  createTimeSlicer,
  loadCorpusPassages,
  runSliced,
  passageText,
  type BlobStore,
  type EvaluationHooks,
  type Passage,
  type PipelineRepository,
  type Ranker,
} from "@genq/core";
import { StaticModel, dot, heldoutCleaner, modelConfigOf, pca2, type ModelManifest } from "@genq/ml";
import type { ModelCache } from "./model-cache.ts";
import type { createSqliteSearchIndex } from "./sqlite-search-index.ts";

const baseModels = new WeakMap<StaticModel, Promise<StaticModel>>();

/**
 * The untrained base model of a tuned model: the same featurisation and seed, the initial table (made
 * once per tuned model, in time slices: the evaluation shares its process with searches).
 */
export const baseModel = (manifest: ModelManifest, tuned: StaticModel): Promise<StaticModel> => {
  let base = baseModels.get(tuned);
  if (!base) {
    base = runSliced(StaticModel.initialiseSteps(modelConfigOf(manifest), tuned.idf));
    baseModels.set(tuned, base);
  }
  return base;
};

const denseRanker = async (model: StaticModel, passages: Passage[]): Promise<Ranker> => {
  const slice = createTimeSlicer();
  const vectors: Float32Array[] = [];
  for (const p of passages) {
    await slice();
    vectors.push(model.encode(passageText(p)));
  }
  return async (query) => {
    const q = model.encode(query);
    return vectors
      .map((v, i) => ({ documentId: passages[i]!.documentId, score: dot(q, v) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 100);
  };
};

/**
 * What the local runtime adds to every evaluation: the untrained TF-IDF signal (a system of its own and a
 * part of the hybrid setups), the base model (so the report shows what training added), a PCA projection of base vs tuned
 * passage embeddings around one held-out query, the model card and training facts.
 */
export function localEvaluationHooks(deps: {
  repo: PipelineRepository;
  blobs: BlobStore;
  index: ReturnType<typeof createSqliteSearchIndex>;
  modelFor: ModelCache;
}): EvaluationHooks {
  const modelOf = (run: { id: string; artifacts: { modelId?: string } }) =>
    deps.modelFor(run.artifacts.modelId ?? `${run.id}-model`);
  return {
    sparse: (version, query, k) => deps.index.sparseSearch(version, query, k),
    cleanHeldout: heldoutCleaner,
    async extraSystems(run) {
      const { model, manifest } = await modelOf(run);
      return { base: await denseRanker(await baseModel(manifest, model), await loadCorpusPassages(deps, run.corpus)) };
    },
    async reportExtras(run, query) {
      const { model, manifest } = await modelOf(run);
      const passages = (await loadCorpusPassages(deps, run.corpus)).filter(
        (_, i, all) => i % Math.ceil(all.length / 400) === 0,
      );
      const base = await baseModel(manifest, model);
      const slice = createTimeSlicer();
      const project = async (m: StaticModel, name: string) => {
        const vectors: Float32Array[] = [];
        for (const p of passages) {
          await slice();
          vectors.push(m.encode(passageText(p)));
        }
        const q = m.encode(query ?? "");
        const near = new Set(
          vectors
            .map((v, i) => [i, dot(q, v)] as const)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 10)
            .map(([i]) => i),
        );
        const points = pca2([...vectors, q]);
        return {
          name,
          points: points.map((p, i) => ({
            ...p,
            neighbour: near.has(i),
            ...(i === vectors.length ? { query: true } : {}),
          })),
        };
      };
      const training = (manifest.training ?? {}) as Record<string, number>;
      return {
        projection: query
          ? { query, models: [await project(base, "base (untrained)"), await project(model, "tuned")] }
          : null,
        modelCard: manifest as unknown as Record<string, unknown>,
        facts: {
          "training pairs": Number(training.pairs ?? 0),
          "training time (s)": Number((training.seconds ?? 0).toFixed(1)),
          "training throughput (pairs/s)": Math.round(training.pairsPerSecond ?? 0),
          model: `static embedding, ${manifest.dims} dims, 2^${manifest.hashing.bucketBits} hashed features${manifest.hashing.subwords ? " (words and their character trigrams)" : ""}`,
        },
      };
    },
  };
}
