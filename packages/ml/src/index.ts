// The public surface of the embedded ML package: what the runtimes, tests and benchmarks use.
export { createRng } from "./rng.ts";
export { STOPWORDS, stem, terms, words } from "./text/tokenize.ts";
export { Bm25Index, DEFAULT_BM25, bm25Builder, type Bm25Postings } from "./text/bm25.ts";
export { bucketIdf, bucketIdfSteps, featurize, hashString, type FeatureOptions } from "./text/features.ts";
export { DEFAULT_MODEL_CONFIG, StaticModel, dot, type StaticModelConfig } from "./model/static-model.ts";
export {
  DEFAULT_TRAIN_OPTIONS,
  trainStaticModel,
  type TrainOptions,
  type TrainingExample,
  type TrainingStats,
} from "./train/trainer.ts";
export { mineHardNegatives } from "./train/hard-negatives.ts";
export {
  DEFAULT_QUERYGEN_OPTIONS,
  generateQueries,
  isHeldOut,
  type QueryGenOptions,
  type SyntheticQuery,
} from "./querygen/synthetic-queries.ts";
export { cleanHeldOutQueries, heldoutCleaner } from "./querygen/clean-queries.ts";
export {
  deserialiseModel,
  deserialiseModelSteps,
  modelConfigOf,
  serialiseModel,
  type ModelManifest,
} from "./model/artifact.ts";
export { pca2 } from "./model/projection.ts";
export { createExtractiveGenerator, createExtractiveReader } from "./reader/extractive-reader.ts";
export { topOfScores, type ScoredPosition } from "./text/top-k.ts";
export { Postings, postingLists, type FrozenPostings } from "./text/postings.ts";
export { sparsePostingsBuilder } from "./text/sparse-postings.ts";
export { highlighter } from "./text/highlight.ts";
