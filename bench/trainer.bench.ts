/**
 * Trainer throughput on one core: the debfaq corpus's synthetic training pairs (never its questions),
 * the default model and training settings, in this thread; best of 3 runs. Inverse-cloze pairs drawn
 * during training count as pairs. The previous default (no sub-word features) runs alternately in the
 * same process, so the ratio holds on a busy machine where absolute figures do not.
 * Run: npm run bench:trainer
 */
import { passageText, toPassages } from "@genq/core";
import {
  Bm25Index,
  DEFAULT_MODEL_CONFIG,
  DEFAULT_TRAIN_OPTIONS,
  StaticModel,
  bucketIdf,
  generateQueries,
  trainStaticModel,
  type StaticModelConfig,
  type TrainOptions,
  type TrainingStats,
} from "@genq/ml";
import { loadDebfaq } from "./lib/debfaq.ts";

const { corpus } = loadDebfaq();
const passages = toPassages({
  corpus: "debfaq",
  sourcePath: "corpus.jsonl",
  documents: corpus.map((d) => ({
    id: d.id,
    title: d.title,
    sections: [{ title: d.title, text: d.text }],
    presegmented: true,
  })),
});
const texts = passages.map(passageText);
const index = new Map(passages.map((p, i) => [p.id, i]));
const examples = generateQueries(passages, new Bm25Index(texts)).map((q) => ({
  query: q.query,
  passageIndex: index.get(q.passageId)!,
}));

const configs: Array<{ name: string; model: StaticModelConfig; train: Partial<TrainOptions> }> = [
  { name: "default", model: DEFAULT_MODEL_CONFIG, train: {} },
  { name: "previous default (no sub-word features)", model: { ...DEFAULT_MODEL_CONFIG, subwords: 0 }, train: {} },
];
const best = new Map<string, TrainingStats>();
for (let i = 0; i < 3; i++) {
  for (const c of configs) {
    const stats = trainStaticModel(
      StaticModel.initialise(c.model, bucketIdf(texts, c.model)),
      texts,
      examples,
      c.train,
    );
    const seen = (stats.pairs + stats.inverseClozePairs) * stats.epochs;
    console.log(
      `${c.name}, run ${i + 1}: ${stats.pairs} pairs + ${stats.inverseClozePairs} inverse-cloze pairs per epoch × ${stats.epochs} epochs in ${stats.seconds.toFixed(2)} s (featurising ${stats.prepareSeconds.toFixed(2)} s): ${stats.pairsPerSecond.toFixed(0)} pairs/s overall, ${(seen / (stats.seconds - stats.prepareSeconds)).toFixed(0)} pairs/s in the training loop`,
    );
    if (!best.has(c.name) || stats.pairsPerSecond > best.get(c.name)!.pairsPerSecond) best.set(c.name, stats);
  }
}
const [mine, previous] = configs.map((c) => best.get(c.name)!.pairsPerSecond);
console.log(
  `best: ${mine!.toFixed(0)} pairs/s overall (model ${DEFAULT_MODEL_CONFIG.dims} dims, 2^${DEFAULT_MODEL_CONFIG.bucketBits} buckets, batch ${DEFAULT_TRAIN_OPTIONS.batchSize}); the previous default ${previous!.toFixed(0)} pairs/s in the same process (ratio ${(mine! / previous!).toFixed(2)})`,
);
