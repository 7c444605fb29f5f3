/**
 * Trainer throughput on one core: the debfaq corpus's synthetic training pairs (never its questions),
 * the default model and training settings, in this thread; best of 3 runs.
 * Run: npm run bench:trainer
 */
import { passageText, toPassages } from "@genq/core";
import { Bm25Index, DEFAULT_MODEL_CONFIG, StaticModel, bucketIdf, generateQueries, trainStaticModel } from "@genq/ml";
import { loadDebfaq } from "./lib/debfaq.ts";

const { corpus } = loadDebfaq();
const passages = toPassages({ corpus: "debfaq", sourcePath: "corpus.jsonl", documents: corpus.map((d) => ({ id: d.id, title: d.title, sections: [{ title: d.title, text: d.text }], presegmented: true })) });
const texts = passages.map(passageText);
const index = new Map(passages.map((p, i) => [p.id, i]));
const examples = generateQueries(passages, new Bm25Index(texts)).map((q) => ({ query: q.query, passageIndex: index.get(q.passageId)! }));
const idf = bucketIdf(texts, DEFAULT_MODEL_CONFIG);
const runs = [];
for (let i = 0; i < 3; i++) {
  const stats = trainStaticModel(StaticModel.initialise(DEFAULT_MODEL_CONFIG, idf), texts, examples);
  runs.push(stats);
  console.log(`run ${i + 1}: ${stats.pairs} pairs × ${stats.epochs} epochs in ${stats.seconds.toFixed(2)} s (featurising ${stats.prepareSeconds.toFixed(2)} s): ${stats.pairsPerSecond.toFixed(0)} pairs/s overall, ${((stats.pairs * stats.epochs) / (stats.seconds - stats.prepareSeconds)).toFixed(0)} pairs/s in the training loop`);
}
const best = runs.reduce((a, b) => (b.pairsPerSecond > a.pairsPerSecond ? b : a));
console.log(`best: ${best.pairsPerSecond.toFixed(0)} pairs/s overall (model ${DEFAULT_MODEL_CONFIG.dims} dims, 2^${DEFAULT_MODEL_CONFIG.bucketBits} buckets, batch 128)`);
