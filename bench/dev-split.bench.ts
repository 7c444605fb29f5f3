/**
 * How genq's settings were chosen: a development split of debfaq's *corpus* (never its questions).
 * 10% of passages are held out; their synthetic heading and cloze queries are the dev queries, and the
 * "heading-only" column (a section heading → its section) is the closest stand-in for a real question.
 * With STRIP=1 the held-out passages also lose that heading from their title, as an FAQ answer does not
 * repeat its question. Prints one block per model configuration.
 *
 * Run: npm run bench:dev -- (env) CONFIGS="bits:dims:lr:epochs:hardNegatives(0|1):maxFeatures:beta1,…"
 *      STRIP=1 QPP=3 SKIP=terms|cloze|heading
 */
import { toPassages, fuseScores, reciprocalRankFusion, meanMetrics, queryMetrics, rankDocuments, type Passage } from "@genq/core";
import {
  Bm25Index, StaticModel, bucketIdf, dot, featurize, generateQueries, isHeldOut, sparseDot, trainStaticModel,
  DEFAULT_MODEL_CONFIG, type StaticModelConfig, type TrainingExample,
} from "@genq/ml";
import { loadDebfaq } from "./lib/debfaq.ts";


const { corpus } = loadDebfaq();
const passages: Passage[] = toPassages({ corpus: "debfaq", sourcePath: "corpus.jsonl", documents: corpus.map((d) => ({ id: d.id, title: d.title, sections: [{ title: d.title, text: d.text }], presegmented: true })) });
// Dev passages answer their heading query without containing it (as an FAQ answer does not repeat its
// question): held-out passages lose the last part of their title in every system's index.
const strip = (t: string) => t.split(" › ").slice(0, -1).join(" › ");
const heldIds = new Set(passages.filter((p) => isHeldOut(p.id, 0.1, 1)).map((p) => p.id));
const texts0 = passages.map((p) => `${p.title}\n${p.text}`);
const bm25gen = new Bm25Index(texts0);
const texts = passages.map((p) => `${heldIds.has(p.id) && process.env.STRIP ? strip(p.title) : p.title}\n${p.text}`);
const bm25 = new Bm25Index(texts);
const t0 = performance.now();
const queries = generateQueries(passages, bm25gen, { queriesPerPassage: Number(process.env.QPP ?? 3) });
console.log(`passages ${passages.length}, queries ${queries.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const byId = new Map(passages.map((p, i) => [p.id, i]));
const train = queries.filter((q) => !isHeldOut(q.passageId, 0.1, 1) && !(process.env.SKIP ?? "").split(",").includes(q.kind));
const dev = queries.filter((q) => isHeldOut(q.passageId, 0.1, 1) && q.kind !== "terms");
console.log(`train ${train.length}, dev ${dev.length} (${dev.filter((q) => q.kind === "heading").length} heading)`);

type Ranker = (q: string) => Array<{ index: number; score: number }>;
function evaluate(name: string, rank: Ranker, subset = dev) {
  const per = subset.map((q) => {
    const hits = rank(q.query).map((h) => ({ documentId: passages[h.index]!.documentId, score: h.score }));
    return queryMetrics(rankDocuments(hits), new Map([[passages[byId.get(q.passageId)!]!.documentId, 1]]));
  });
  const m = meanMetrics(per);
  const head = meanMetrics(per.filter((_, i) => subset[i]!.kind === "heading"));
  console.log(`${name.padEnd(40)} ndcg@10 ${m["ndcg@10"].toFixed(3)}  heading-only ${head["ndcg@10"].toFixed(3)}  R@100 ${m["recall@100"].toFixed(3)}`);
  return m["ndcg@10"];
}
const top = (scores: Float32Array | number[], k: number) => {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k).map((index) => ({ index, score: scores[index]! }));
};

const bm25Rank: Ranker = (q) => bm25.search(q, 100);
evaluate("bm25", bm25Rank);

const fopts = { bucketBits: 18, bigrams: true, maxFeatures: 0 };
const idfAll = bucketIdf(texts, fopts);
const sparse = texts.map((t) => featurize(t, idfAll, fopts));
const tfidfRank: Ranker = (q) => {
  const qv = featurize(q, idfAll, fopts);
  return top(sparse.map((s) => sparseDot(qv, s)), 100);
};
evaluate("tfidf cosine (exact)", tfidfRank);
evaluate("bm25+tfidf 0.5", (q) => fuseScores([{ weight: 0.5, hits: bm25Rank(q) }, { weight: 0.5, hits: tfidfRank(q) }]));

function denseRanker(model: StaticModel): Ranker {
  const vecs = texts.map((t) => model.encode(t));
  return (q) => {
    const qv = model.encode(q);
    return top(vecs.map((v) => dot(qv, v)), 100);
  };
}

const examples = (withNeg: boolean): TrainingExample[] =>
  train.map((q) => {
    const positive = byId.get(q.passageId)!;
    const e: TrainingExample = { query: q.query, passageIndex: positive };
    if (withNeg) {
      const neg = bm25.search(q.query, 5).find((h) => passages[h.index]!.documentId !== passages[positive]!.documentId);
      if (neg) e.negativeIndex = neg.index;
    }
    return e;
  });

const configs = (process.env.CONFIGS ?? "17:256:0.05:2:0:160:0.9").split(",");
for (const c of configs) {
  const [bits, dims, lr, epochs, neg, maxF, beta1] = c.split(":").map(Number);
  const cfg: StaticModelConfig = { ...DEFAULT_MODEL_CONFIG, bucketBits: bits!, dims: dims!, maxFeatures: maxF! };
  const idf = bucketIdf(texts, cfg);
  const model = StaticModel.initialise(cfg, idf);
  const baseRank = denseRanker(model);
  evaluate(`base ${c}`, baseRank);
  const stats = trainStaticModel(model, texts, examples(neg === 1), { learningRate: lr!, epochs: epochs!, beta1: beta1 ?? 0.9 });
  console.log(`  trained: ${stats.pairsPerSecond.toFixed(0)} pairs/s (loop ${((stats.pairs * stats.epochs) / (stats.seconds - stats.prepareSeconds)).toFixed(0)}), ${stats.seconds.toFixed(1)} s, loss ${stats.lossFirstEpoch.toFixed(3)} → ${stats.lossLastEpoch.toFixed(3)}`);
  const tuned = denseRanker(model);
  evaluate(`tuned ${c}`, tuned);
  for (const w of [0.7]) evaluate(`  hybrid bm25 ${w} + tuned`, (q) => fuseScores([{ weight: w, hits: bm25Rank(q) }, { weight: 1 - w, hits: tuned(q) }]));
  evaluate(`  rrf bm25+tfidf+tuned`, (q) => reciprocalRankFusion([{ weight: 1, hits: bm25Rank(q) }, { weight: 1, hits: tfidfRank(q) }, { weight: 1, hits: tuned(q) }]));
  for (const [a, b, c2] of [[0.4, 0.3, 0.3], [0.5, 0.25, 0.25], [0.3, 0.4, 0.3], [0.34, 0.33, 0.33], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4], [0.3, 0.5, 0.2], [0.5, 0.3, 0.2]]) {
    evaluate(`  hybrid bm25 ${a} tfidf ${b} tuned ${c2}`, (q) => fuseScores([{ weight: a!, hits: bm25Rank(q) }, { weight: b!, hits: tfidfRank(q) }, { weight: c2!, hits: tuned(q) }]));
  }
}
