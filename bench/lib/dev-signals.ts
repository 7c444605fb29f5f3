/**
 * One development collection under one model setting, prepared the way a local run prepares it: passages
 * chunked as genq chunks them, synthetic queries from the corpus only (the pipeline's share of passages
 * held out of training, with the run's seed), the model trained as the training worker trains it, the
 * held-out queries cleaned, sampled and split as the evaluation stage does, and every query's signals
 * (BM25, TF-IDF, the tuned model; each one's top 100) from the index's own memory signals. What the
 * evaluation stage then does with them — calibrate, gate — is core's code, run by the caller.
 */
import {
  evenSample,
  groupHeldout,
  isHeldOut,
  passageText,
  rankDocuments,
  splitValidationTest,
  toPassages,
  type Judgments,
  type Passage,
  type ScoredIndex,
  type SignalHit,
  type SignalLists,
} from "@genq/core";
import { createMemorySignals } from "@genq/local";
import {
  Bm25Index,
  StaticModel,
  bucketIdf,
  generateQueries,
  cleanHeldOutQueries,
  trainStaticModel,
  type QueryGenOptions,
  type StaticModelConfig,
  type TrainOptions,
  type TrainingStats,
} from "@genq/ml";
import { splitOf, type DevCollection } from "./dev-collections.ts";

export interface Setting {
  name: string;
  model: StaticModelConfig;
  train: Partial<TrainOptions>;
  querygen: Partial<QueryGenOptions>;
  /** Kinds of synthetic query left out of training (to measure what each kind is worth). */
  skipKinds?: string[];
  /** Train one model per seed from the same initialisation and average their tables (a model soup). */
  soupSeeds?: number[];
}

export type Split = "validation" | "test";

/** A query with its signals and judgments. */
export interface PreparedQuery {
  id: string;
  text: string;
  lists: SignalLists;
  judgments: Judgments;
}

export interface PreparedCollection {
  collection: string;
  passages: number;
  pairs: number;
  training: TrainingStats;
  /** The run's held-out synthetic queries after cleaning and sampling, split as the evaluation stage splits them. */
  heldout: Record<Split, PreparedQuery[]>;
  /** Dropped held-out queries by reason. */
  dropped: Record<string, number>;
  /** The collection's real questions, by their split (validation chooses settings, test reports them). */
  real: Record<Split, PreparedQuery[]>;
  /** The untrained base model's document ranking of each real question (a reference system). */
  base: Record<Split, string[][]>;
}

/** The pipeline's defaults (GENQ_HELDOUT_FRACTION, GENQ_SEED). */
const HELD_OUT = 0.1;
const SEED = 42;
const DEPTH = 100;

export function passagesOf(c: DevCollection): Passage[] {
  return toPassages({
    corpus: c.name,
    sourcePath: `${c.name}.jsonl`,
    documents: c.docs.map((d) => ({
      id: d.id,
      title: d.title,
      sections: [{ title: d.title, text: d.text }],
      presegmented: true,
    })),
  });
}

export function prepareCollection(c: DevCollection, setting: Setting): PreparedCollection {
  const passages = passagesOf(c);
  const texts = passages.map(passageText);
  const index = new Map(passages.map((p, i) => [p.id, i]));
  const documentOf = new Map(passages.map((p) => [p.id, p.documentId]));
  const bm25 = new Bm25Index(texts);
  const seed = setting.querygen.seed ?? SEED;
  const generated = generateQueries(passages, bm25, { ...setting.querygen, seed });
  const held = generated.filter((q) => isHeldOut(q.passageId, HELD_OUT, seed));
  const examples = generated
    .filter((q) => !isHeldOut(q.passageId, HELD_OUT, seed) && !setting.skipKinds?.includes(q.kind))
    .map((q) => ({ query: q.query, passageIndex: index.get(q.passageId)! }));

  // As the training worker does: idf from the corpus, the model's initialisation, then training.
  const model = StaticModel.initialise(setting.model, bucketIdf(texts, setting.model));
  const baseVectors = texts.map((t) => model.encode(t));
  const baseRanking = (q: string) => {
    const v = model.encode(q);
    const hits = baseVectors
      .map((b, i) => ({ documentId: passages[i]!.documentId, score: dot(v, b) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, DEPTH);
    return rankDocuments(hits);
  };
  const base: PreparedCollection["base"] = { validation: [], test: [] };
  for (const q of c.queries) base[splitOf(q.id)].push(baseRanking(q.text));
  const initial = setting.soupSeeds ? Float32Array.from(model.table) : null;
  const training = trainStaticModel(model, texts, examples, {
    ...setting.train,
    seed: setting.soupSeeds?.[0] ?? setting.train.seed ?? SEED,
  });
  for (const seed of setting.soupSeeds?.slice(1) ?? []) {
    const other = new StaticModel(model.config, model.idf, Float32Array.from(initial!));
    trainStaticModel(other, texts, examples, { ...setting.train, seed });
    for (let i = 0; i < model.table.length; i++) model.table[i]! += other.table[i]!;
  }
  if (setting.soupSeeds) for (let i = 0; i < model.table.length; i++) model.table[i]! /= setting.soupSeeds.length;
  const signals = createMemorySignals(
    passages.map((p, i) => ({ rowid: i, text: texts[i]!, vector: model.encode(texts[i]!) })),
  );
  const toHits = (hits: ScoredIndex[]): SignalHit[] =>
    hits.map((h) => ({ passageId: passages[h.index]!.id, documentId: passages[h.index]!.documentId, score: h.score }));
  const listsOf = (text: string): SignalLists => ({
    lexical: toHits(signals.bm25(text, DEPTH)),
    sparse: toHits(signals.sparse(text, DEPTH)),
    semantic: toHits(signals.dense(model.encode(text), DEPTH)),
  });

  // The evaluation stage's held-out queries: cleaned against the whole query population, grouped by text, sampled, split.
  const cleaned = cleanHeldOutQueries(held, { population: generated, documentOf: (id) => documentOf.get(id) });
  const { validation, test } = splitValidationTest(evenSample(groupHeldout(cleaned.kept, documentOf), 1000));
  const prepare = (qs: ReadonlyArray<{ id: string; text: string; judgments: Judgments }>) =>
    qs.map((q) => ({ ...q, lists: listsOf(q.text) }));
  const real: PreparedCollection["real"] = { validation: [], test: [] };
  for (const q of c.queries)
    real[splitOf(q.id)].push({ id: q.id, text: q.text, judgments: c.qrels.get(q.id)!, lists: listsOf(q.text) });
  return {
    collection: c.name,
    passages: passages.length,
    pairs: examples.length,
    training,
    heldout: { validation: prepare(validation), test: prepare(test) },
    dropped: Object.fromEntries(Object.entries(cleaned.dropped).filter(([, n]) => n > 0)),
    real,
    base,
  };
}

function dot(a: Float32Array, b: Float32Array) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
