import { NotFoundError, type BlobStore, type ModelDeployer, type PipelineRepository } from "@genq/core";
import type { ModelManifest, StaticModel } from "@genq/ml";
import { loadStaticModel } from "./jobs/static-encoder.ts";

export type LoadedModel = { model: StaticModel; manifest: ModelManifest };

/** Loaded models by model id (a process keeps each model once; a failed load is tried again next time). */
export function createModelCache(blobs: BlobStore, repo: PipelineRepository) {
  const cache = new Map<string, Promise<LoadedModel>>();
  const modelFor = (modelId: string): Promise<LoadedModel> => {
    let m = cache.get(modelId);
    if (!m) {
      m = (async () => {
        const version = await repo.getModelVersion(modelId);
        if (!version) throw new NotFoundError(`model ${modelId} is not registered`);
        return loadStaticModel(blobs, version.artifactKey);
      })();
      m.catch(() => cache.delete(modelId));
      cache.set(modelId, m);
    }
    return m;
  };
  return Object.assign(modelFor, {
    forget: (modelId: string) => void cache.delete(modelId),
    /** Whether the model is loaded (or loading) here. */
    has: (modelId: string) => cache.has(modelId),
    /** Forget every model but these (a process whose models another process retires). */
    retain(keep: ReadonlySet<string>) {
      for (const id of [...cache.keys()]) if (!keep.has(id)) cache.delete(id);
    },
  });
}
export type ModelCache = ReturnType<typeof createModelCache>;

/**
 * ModelDeployer for static-embedding models: "deploying" loads the artifact and verifies it (a truncated
 * or corrupt one is refused, failing the stage); the model can encode at once. Retiring frees its memory
 * and deletes its artifact from the bucket (a model is tens of MB, and one that serves nothing any more
 * is never loaded again: its index version is dropped with it). Retiring again is a no-op.
 */
export function createStaticModelDeployer(deps: {
  blobs: BlobStore;
  repo: PipelineRepository;
  cache: ModelCache;
}): ModelDeployer {
  return {
    async deploy({ modelKey }) {
      await loadStaticModel(deps.blobs, modelKey);
      return { ready: true, endpoint: null };
    },
    async retire(modelId) {
      deps.cache.forget(modelId);
      const version = await deps.repo.getModelVersion(modelId);
      if (version?.artifactKey.endsWith("/")) await deps.blobs.deletePrefix(version.artifactKey);
    },
  };
}
