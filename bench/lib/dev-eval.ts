/**
 * Score one model setting on one development collection the way the local runtime would: passages
 * chunked as genq chunks them, synthetic queries from the corpus only (the pipeline's 10% of passages
 * held out of training), the model trained as the training worker trains it, and the served signals
 * (BM25, TF-IDF, the dense model and their min-max fusion over each one's top 100) from the index's own
 * memory signals. Returns nDCG@10 per system on the collection's validation and test questions.
 */
import { fuseScores, isHeldOut, queryMetrics, rankDocuments, toPassages, passageText, type Passage, type ScoredIndex } from "@genq/core";
import { createMemorySignals } from "@genq/local";
import {
  Bm25Index, StaticModel, bucketIdf, generateQueries, trainStaticModel,
  type QueryGenOptions, type StaticModelConfig, type TrainOptions, type TrainingStats,
} from "@genq/ml";
import { splitOf, type DevCollection } from "./dev-collections.ts";

export interface Setting {
  name: string;
  model: StaticModelConfig;
  train: Partial<TrainOptions>;
  querygen: Partial<QueryGenOptions>;
  /** Kinds of synthetic query left out of training (to measure what each kind is worth). */
  skipKinds?: string[];
}

/** Hybrid mixes scored: BM25 / TF-IDF / dense weights of the normalised scores. */
export const MIXES: Record<string, [number, number, number]> = {
  "hybrid-untuned": [0.4, 0.3, 0],
  hybrid: [0.4, 0.3, 0.3],
  "hybrid-d10": [0.4, 0.3, 0.078],
  "hybrid-d20": [0.4, 0.3, 0.175],
  "bm25+tuned": [0.7, 0, 0.3],
};

export type Split = "validation" | "test";
export interface SettingResult {
  collection: string;
  /** system → split → mean nDCG@10. */
  ndcg: Record<string, Record<Split, number>>;
  queries: Record<Split, number>;
  training: TrainingStats;
  passages: number;
  pairs: number;
}

const HELD_OUT = 0.1;
const SEED = 42;

export function passagesOf(c: DevCollection): Passage[] {
  return toPassages({
    corpus: c.name,
    sourcePath: `${c.name}.jsonl`,
    documents: c.docs.map((d) => ({ id: d.id, title: d.title, sections: [{ title: d.title, text: d.text }], presegmented: c.name === "debfaq-headings" })),
  });
}

export function evaluateSetting(c: DevCollection, setting: Setting): SettingResult {
  const passages = passagesOf(c);
  const texts = passages.map(passageText);
  const index = new Map(passages.map((p, i) => [p.id, i]));
  const bm25 = new Bm25Index(texts);
  const seed = setting.querygen.seed ?? SEED;
  const generated = generateQueries(passages, bm25, { ...setting.querygen, seed });
  const examples = generated.filter((q) => !isHeldOut(q.passageId, HELD_OUT, seed) && !setting.skipKinds?.includes(q.kind)).map((q) => ({ query: q.query, passageIndex: index.get(q.passageId)! }));

  // As the training worker does: idf from the corpus, the model's initialisation, then training.
  const model = StaticModel.initialise(setting.model, bucketIdf(texts, setting.model));
  const baseVectors = texts.map((t) => model.encode(t));
  const baseQuery = (q: string) => model.encode(q);
  const baseHits = (q: string): ScoredIndex[] => {
    const v = baseQuery(q);
    return baseVectors.map((b, i) => ({ index: i, score: dot(v, b) })).sort((a, b) => b.score - a.score).slice(0, 100);
  };
  const baseRuns = c.queries.map((q) => baseHits(q.text));
  const training = trainStaticModel(model, texts, examples, { ...setting.train, seed: setting.train.seed ?? SEED });
  const signals = createMemorySignals(passages.map((p, i) => ({ rowid: i, text: texts[i]!, vector: model.encode(texts[i]!) })));

  const systems: Record<string, Array<ScoredIndex[]>> = { bm25: [], tfidf: [], base: baseRuns, tuned: [] };
  for (const name of Object.keys(MIXES)) systems[name] = [];
  for (const q of c.queries) {
    const lexical = signals.bm25(q.text, 100);
    const sparse = signals.sparse(q.text, 100);
    const dense = signals.dense(model.encode(q.text), 100);
    systems.bm25!.push(lexical);
    systems.tfidf!.push(sparse);
    systems.tuned!.push(dense);
    for (const [name, [a, b, d]] of Object.entries(MIXES)) {
      systems[name]!.push(fuseScores([{ weight: a, hits: lexical }, { weight: b, hits: sparse }, { weight: d, hits: dense }]));
    }
  }
  const ndcg: SettingResult["ndcg"] = {};
  for (const [name, runs] of Object.entries(systems)) {
    const per = { validation: [] as number[], test: [] as number[] };
    c.queries.forEach((q, i) => {
      const ranking = rankDocuments(runs[i]!.map((h) => ({ documentId: passages[h.index]!.documentId, score: h.score })));
      per[splitOf(q.id)].push(queryMetrics(ranking, c.qrels.get(q.id)!)["ndcg@10"]);
    });
    ndcg[name] = { validation: mean(per.validation), test: mean(per.test) };
  }
  const queries = { validation: c.queries.filter((q) => splitOf(q.id) === "validation").length, test: c.queries.filter((q) => splitOf(q.id) === "test").length };
  return { collection: c.name, ndcg, queries, training, passages: passages.length, pairs: examples.length };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
function dot(a: Float32Array, b: Float32Array) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
