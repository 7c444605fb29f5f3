import { createHash } from "node:crypto";
import { z } from "zod";
import { CorruptArtifactError, runToEnd } from "@genq/core";
import { StaticModel, type StaticModelConfig } from "./static-model.ts";

export const MODEL_FORMAT = "genq-static-embedding/1";
/**
 * The format of a model with sub-word features. Readers of `/1` from before them drop hashing fields they
 * do not know, so they would load such a model without its trigrams and encode queries unlike the passages
 * it indexed; this format makes them refuse it. Cards of the first models with sub-word features say `/1`
 * and still load with them.
 */
export const MODEL_FORMAT_SUBWORDS = "genq-static-embedding/2";

/** The model card stored beside the weights (`manifest.json`). */
export const ModelManifest = z.object({
  format: z.enum([MODEL_FORMAT, MODEL_FORMAT_SUBWORDS]),
  type: z.literal("static-embedding"),
  kind: z.enum(["base", "tuned"]),
  dims: z.number().int().positive(),
  hashing: z.object({
    algorithm: z.literal("fnv1a-32"),
    bucketBits: z.number().int().min(4).max(24),
    bigrams: z.boolean(),
    maxFeatures: z.number().int().nonnegative(),
    /** Weight of each term's character trigrams; absent in models made before sub-word features (none). */
    subwords: z.number().nonnegative().optional(),
    /** How many trigram features a text keeps at most (0: as many as `maxFeatures` leaves room for). */
    maxSubwordFeatures: z.number().int().nonnegative().optional(),
    tokenizer: z.string(),
  }),
  seed: z.number().int(),
  hyperparameters: z.record(z.string(), z.unknown()),
  training: z.record(z.string(), z.unknown()).nullable(),
  weights: z.object({ file: z.literal("model.bin"), bytes: z.number().int(), sha256: z.string() }),
  createdAt: z.string(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/** Serialise a model: the weights file (idf then table, float32 little-endian) and its manifest. */
export function serialiseModel(
  model: StaticModel,
  meta: {
    kind: "base" | "tuned";
    hyperparameters: Record<string, unknown>;
    training: Record<string, unknown> | null;
    createdAt: string;
  },
): { manifest: ModelManifest; weights: Uint8Array } {
  const weights = new Uint8Array(4 * (model.idf.length + model.table.length));
  weights.set(new Uint8Array(model.idf.buffer, model.idf.byteOffset, model.idf.byteLength), 0);
  weights.set(new Uint8Array(model.table.buffer, model.table.byteOffset, model.table.byteLength), model.idf.byteLength);
  const c = model.config;
  // A weight of 0 or below featurises as none (`featurize`), so the card records none.
  const subwords = (c.subwords ?? 0) > 0;
  const manifest: ModelManifest = {
    format: subwords ? MODEL_FORMAT_SUBWORDS : MODEL_FORMAT,
    type: "static-embedding",
    kind: meta.kind,
    dims: c.dims,
    hashing: {
      algorithm: "fnv1a-32",
      bucketBits: c.bucketBits,
      bigrams: c.bigrams,
      maxFeatures: c.maxFeatures,
      ...(subwords ? { subwords: c.subwords, maxSubwordFeatures: c.maxSubwordFeatures ?? 0 } : {}),
      tokenizer: `lowercase words, English stop words removed, Porter stems${subwords ? "; character trigrams of each stem" : ""}`,
    },
    seed: c.seed,
    hyperparameters: meta.hyperparameters,
    training: meta.training,
    weights: {
      file: "model.bin",
      bytes: weights.byteLength,
      sha256: createHash("sha256").update(weights).digest("hex"),
    },
    createdAt: meta.createdAt,
  };
  return { manifest, weights };
}

/** How many bytes of weights one step of loading handles. */
const STEP_BYTES = 1 << 20;

/**
 * Load a model from its manifest and weights, refusing anything that does not check out: an unknown
 * format, a size that does not match the manifest, or a checksum mismatch (truncation, corruption).
 */
export function deserialiseModel(
  manifestJson: string,
  weights: Uint8Array,
): { model: StaticModel; manifest: ModelManifest } {
  return runToEnd(deserialiseModelSteps(manifestJson, weights));
}

/**
 * `deserialiseModel` step by step: it yields between parts of the checksum and the copy of the weights
 * (tens of MB), so a process that serves searches can load a model in slices.
 */
export function* deserialiseModelSteps(
  manifestJson: string,
  weights: Uint8Array,
): Generator<void, { model: StaticModel; manifest: ModelManifest }> {
  let manifest: ModelManifest;
  try {
    manifest = ModelManifest.parse(JSON.parse(manifestJson));
  } catch (cause) {
    throw new CorruptArtifactError("model manifest is unreadable or not a genq static-embedding model", { cause });
  }
  const rows = 1 << manifest.hashing.bucketBits;
  const expected = 4 * rows * (1 + manifest.dims);
  if (weights.byteLength !== manifest.weights.bytes || weights.byteLength !== expected) {
    throw new CorruptArtifactError(
      `model weights are ${weights.byteLength} bytes, expected ${expected}: the artifact is truncated or damaged`,
    );
  }
  const hash = createHash("sha256");
  for (let at = 0; at < weights.byteLength; at += STEP_BYTES) {
    hash.update(weights.subarray(at, at + STEP_BYTES));
    yield;
  }
  const digest = hash.digest("hex");
  if (digest !== manifest.weights.sha256)
    throw new CorruptArtifactError("model weights do not match their checksum: the artifact is damaged");
  const copy = new Float32Array(weights.byteLength / 4);
  const bytes = new Uint8Array(copy.buffer);
  for (let at = 0; at < weights.byteLength; at += STEP_BYTES) {
    bytes.set(weights.subarray(at, at + STEP_BYTES), at);
    yield;
  }
  const idf = copy.subarray(0, rows);
  const table = copy.subarray(rows);
  return { model: new StaticModel(modelConfigOf(manifest), idf, table), manifest };
}

/** The featurisation and shape a model card describes (a card without `subwords` has none). */
export function modelConfigOf(manifest: ModelManifest): StaticModelConfig {
  return {
    bucketBits: manifest.hashing.bucketBits,
    bigrams: manifest.hashing.bigrams,
    maxFeatures: manifest.hashing.maxFeatures,
    subwords: manifest.hashing.subwords ?? 0,
    maxSubwordFeatures: manifest.hashing.maxSubwordFeatures ?? 0,
    dims: manifest.dims,
    seed: manifest.seed,
  };
}
