import { runSliced, type BlobStore, type Encoder } from "@genq/core";
import { deserialiseModelSteps, type ModelManifest, type StaticModel } from "@genq/ml";

/** An Encoder over a loaded static-embedding model. */
export function staticEncoder(model: StaticModel): Encoder & { model: StaticModel } {
  return {
    model,
    dimensions: model.dimensions,
    async encode(texts) {
      return texts.map((t) => model.encode(t));
    },
  };
}

/**
 * Load a model artifact (`<modelKey>manifest.json` + `model.bin`) from the bucket; corrupt ones are refused.
 * The checksum and the copy of the weights run in slices (the serving process loads models too).
 */
export async function loadStaticModel(
  blobs: BlobStore,
  modelKey: string,
): Promise<{ model: StaticModel; manifest: ModelManifest }> {
  const manifest = new TextDecoder().decode(await blobs.get(`${modelKey}manifest.json`));
  const weights = await blobs.get(`${modelKey}model.bin`);
  return runSliced(deserialiseModelSteps(manifest, weights));
}
