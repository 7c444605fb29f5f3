import { StaticModel } from "../model/static-model.ts";
import { createRng } from "../rng.ts";
import type { SparseVector } from "../text/features.ts";
import { noDuplicateBatches } from "./batches.ts";
import { mnrlLossAndGradients } from "./mnrl.ts";
import { clozeCandidates, inverseClozePairs } from "./inverse-cloze.ts";

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** MNRL temperature inverse (sentence-transformers' default is 20). */
  scale: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Probability that a query found verbatim in its passage is removed from it (inverse-cloze training). */
  clozeMasking: number;
  /** Queries shorter than this (characters) are never removed from their passage. */
  clozeMinChars: number;
  /**
   * Inverse-cloze pairs drawn afresh each epoch from every passage that has training examples (passages
   * without any, such as held-out ones, are never used): sentences per passage.
   */
  inverseCloze: number;
  seed: number;
}

/** Inverse cloze at 2 sentences per passage was chosen on the development collections (BENCHMARKS.md). */
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  epochs: 2,
  batchSize: 128,
  scale: 20,
  learningRate: 0.05,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  clozeMasking: 0.9,
  clozeMinChars: 21,
  inverseCloze: 2,
  seed: 7,
};

/** A training example: a query, the index of its positive passage, and an optional hard negative. */
export interface TrainingExample {
  query: string;
  passageIndex: number;
  negativeIndex?: number;
}

export interface TrainingStats {
  pairs: number;
  /** Inverse-cloze pairs added each epoch (counted in `pairsPerSecond`). */
  inverseClozePairs: number;
  epochs: number;
  steps: number;
  seconds: number;
  /** Featurising queries and passages before the first step (included in `seconds`). */
  prepareSeconds: number;
  pairsPerSecond: number;
  lossFirstEpoch: number;
  lossLastEpoch: number;
  hardNegatives: number;
}

/**
 * Fine-tune a static-embedding model in place with MNRL over no-duplicate batches of the examples and
 * of inverse-cloze pairs drawn each epoch from the examples' passages (`inverseCloze` per passage; no
 * other passage is ever trained on), in-batch negatives plus mined hard negatives, and lazy (sparse)
 * Adam: only the table rows a batch touches are updated. Deterministic for a given seed. `onProgress` gets the fraction done and the running loss.
 */
export function trainStaticModel(
  model: StaticModel,
  passages: readonly string[],
  examples: readonly TrainingExample[],
  options: Partial<TrainOptions> = {},
  onProgress?: (p: { fraction: number; epoch: number; loss: number }) => void,
): TrainingStats {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const d = model.config.dims;
  const rows = 1 << model.config.bucketBits;
  const rng = createRng(o.seed);
  const started = performance.now();

  const passageFeatures = new Map<number, SparseVector>();
  const featuresOfPassage = (i: number) => {
    let f = passageFeatures.get(i);
    if (!f) passageFeatures.set(i, (f = model.features(passages[i]!)));
    return f;
  };
  type Prepared = {
    passageIndex: number;
    query: SparseVector;
    positive: SparseVector;
    negative?: SparseVector;
    negativeIndex?: number;
  };
  const prepared: Prepared[] = examples.map((e) => {
    const text = passages[e.passageIndex]!;
    const masked = e.query.length >= o.clozeMinChars && text.includes(e.query) && rng.next() < o.clozeMasking;
    return {
      passageIndex: e.passageIndex,
      query: model.features(e.query),
      positive: masked ? model.features(text.replace(e.query, " ")) : featuresOfPassage(e.passageIndex),
      negative: e.negativeIndex === undefined ? undefined : featuresOfPassage(e.negativeIndex),
      negativeIndex: e.negativeIndex,
    };
  });
  const eligible = [...new Set(examples.map((e) => e.passageIndex))].sort((a, b) => a - b);
  const eligibleSet = new Set(eligible);
  const candidates = o.inverseCloze > 0 ? passages.map((p, i) => (eligibleSet.has(i) ? clozeCandidates(p) : [])) : [];
  const clozePerEpoch = candidates.reduce((n, c) => n + (c.length < 2 ? 0 : Math.min(o.inverseCloze, c.length - 1)), 0);
  const epochPairs = (): Prepared[] =>
    o.inverseCloze > 0
      ? [
          ...prepared,
          ...inverseClozePairs(passages, candidates, eligible, o.inverseCloze, rng).map((c) => ({
            passageIndex: c.passageIndex,
            query: model.features(c.query),
            positive: model.features(c.rest),
          })),
        ]
      : prepared;

  // Lazy Adam with a row-wise second moment (one scalar per table row, as in row-wise Adagrad for
  // embedding tables): half the memory traffic of element-wise Adam and one square root per row.
  const m = o.beta1 > 0 ? new Float32Array(rows * d) : null;
  const v = new Float32Array(rows);
  const prepareSeconds = (performance.now() - started) / 1000;
  const slotOf = new Int32Array(rows).fill(-1);
  let grad = new Float32Array(4096 * d);
  const touched: number[] = [];
  let step = 0;
  let lossFirst = 0,
    lossLast = 0;
  const total = o.epochs * (prepared.length + clozePerEpoch);
  let done = 0;

  const accumulate = (features: SparseVector, g: Float32Array) => {
    for (let k = 0; k < features.ids.length; k++) {
      const row = features.ids[k]!;
      let slot = slotOf[row]!;
      if (slot < 0) {
        slot = touched.length;
        slotOf[row] = slot;
        touched.push(row);
        if ((slot + 1) * d > grad.length) {
          const bigger = new Float32Array(grad.length * 2);
          bigger.set(grad);
          grad = bigger;
        }
        grad.fill(0, slot * d, (slot + 1) * d);
      }
      const w = features.weights[k]!;
      const off = slot * d;
      for (let j = 0; j < d; j++) grad[off + j]! += w * g[j]!;
    }
  };

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    let epochLoss = 0;
    let batches = 0;
    for (const batch of noDuplicateBatches(epochPairs(), o.batchSize, rng)) {
      const inBatch = new Set(batch.map((p) => p.passageIndex));
      const negatives = batch.filter((p) => p.negative && !inBatch.has(p.negativeIndex!));
      const queries = batch.map((p) => model.pool(p.query));
      const candidates = [
        ...batch.map((p) => model.pool(p.positive)),
        ...negatives.map((p) => model.pool(p.negative!)),
      ];
      const { loss, queryGrads, candidateGrads } = mnrlLossAndGradients(queries, candidates, o.scale);
      epochLoss += loss;
      batches++;

      batch.forEach((p, i) => accumulate(p.query, queryGrads[i]!));
      batch.forEach((p, i) => accumulate(p.positive, candidateGrads[i]!));
      negatives.forEach((p, i) => accumulate(p.negative!, candidateGrads[batch.length + i]!));

      step++;
      const lr = (o.learningRate * Math.sqrt(1 - o.beta2 ** step)) / (m ? 1 - o.beta1 ** step : 1);
      const table = model.table;
      for (let s = 0; s < touched.length; s++) {
        const row = touched[s]!;
        const base = row * d;
        const off = s * d;
        let g2 = 0;
        for (let j = 0; j < d; j++) g2 += grad[off + j]! * grad[off + j]!;
        const vr = (v[row] = o.beta2 * v[row]! + ((1 - o.beta2) * g2) / d);
        const stepSize = lr / (Math.sqrt(vr) + o.epsilon);
        if (m) {
          for (let j = 0; j < d; j++) {
            const mj = (m[base + j] = o.beta1 * m[base + j]! + (1 - o.beta1) * grad[off + j]!);
            table[base + j]! -= stepSize * mj;
          }
        } else {
          for (let j = 0; j < d; j++) table[base + j]! -= stepSize * grad[off + j]!;
        }
        slotOf[row] = -1;
      }
      touched.length = 0;
      done += batch.length;
      onProgress?.({ fraction: done / total, epoch, loss });
    }
    const mean = epochLoss / Math.max(1, batches);
    if (epoch === 0) lossFirst = mean;
    lossLast = mean;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    pairs: examples.length,
    inverseClozePairs: clozePerEpoch,
    epochs: o.epochs,
    steps: step,
    seconds,
    prepareSeconds,
    pairsPerSecond: total / Math.max(seconds, 1e-9),
    lossFirstEpoch: lossFirst,
    lossLastEpoch: lossLast,
    hardNegatives: examples.filter((e) => e.negativeIndex !== undefined).length,
  };
}
