/**
 * Fitting and cross-fitting the embedded reader on QA development questions: the span ranker (listwise
 * softmax), the calibrator (logistic regression on the best span's answer features, then optionally an
 * isotonic map) and the no-answer threshold. Folds are grouped by document, so a question is always
 * scored by a model that never saw its page: the estimate is of a reader meeting new pages, as the test
 * set's are.
 */
import {
  applyIsotonic,
  dot,
  fitIsotonic,
  fitLogistic,
  fitSoftmaxRanker,
  sigmoid,
  type IsotonicMap,
} from "../../packages/ml/src/reader/learn.ts";
import {
  ANSWER_FEATURES,
  answerFeatures,
  calibratedScore,
  rankSpans,
  type RankedSpan,
} from "../../packages/ml/src/reader/ranking.ts";
import { questionEvidence, SPAN_FEATURES, type QuestionEvidence } from "../../packages/ml/src/reader/span-features.ts";
import type { Passage } from "@genq/core";
import { overlapsAnswer, tokenF1, type QaItem } from "./qa-set.ts";

export interface QaExample {
  item: QaItem;
  answerable: boolean;
  evidence: QuestionEvidence;
  passageTexts: string[];
  /** Per candidate: a span a reader should pick (overlaps a right answer and shares at least half its tokens). */
  positive: boolean[];
}

export interface FittedReader {
  ranker: number[];
  calibrator: number[];
  isotonic: IsotonicMap | null;
  threshold: number;
}

export interface FitSettings {
  folds: number;
  rankerL2: number;
  calibratorL2: number;
  isotonic: boolean;
  /** How the threshold is chosen on cross-fitted scores: mean of the two rates, or the worst margin over the targets. */
  thresholdRule: "balanced" | "targets";
}

export const DEFAULT_SETTINGS: FitSettings = {
  folds: 5,
  rankerL2: 0.003,
  calibratorL2: 0.001,
  isotonic: false,
  thresholdRule: "targets",
};

/** Span features left out (set to 0) for an ablation: DROP=name,name. */
const dropped = (process.env.DROP ?? "")
  .split(",")
  .filter(Boolean)
  .map((name) => {
    const i = (SPAN_FEATURES as readonly string[]).indexOf(name);
    if (i < 0) throw new Error(`DROP: no span feature named ${name} (${SPAN_FEATURES.join(", ")})`);
    return i;
  });

/** The question's candidates and which of them are right. */
export function buildExample(item: QaItem, passages: readonly Passage[]): QaExample {
  const evidence = questionEvidence(item.question, passages);
  for (const c of evidence.candidates) for (const i of dropped) c.features[i] = 0;
  const texts = passages.map((p) => p.text);
  const positive = evidence.candidates.map((c) => {
    if (!item.answers.length) return false;
    const text = texts[c.passageIndex]!.slice(c.start, c.end);
    return tokenF1(text, item.answers) >= 0.5 && overlapsAnswer(c, item.answers, texts[c.passageIndex]!);
  });
  return { item, answerable: item.answers.length > 0, evidence, passageTexts: texts, positive };
}

const textOf = (e: QaExample) => (c: { passageIndex: number; start: number; end: number }) =>
  e.passageTexts[c.passageIndex]!.slice(c.start, c.end);

/** Whether a span overlaps a right answer in its passage (any span of an unanswerable question is wrong). */
export const isRight = (e: QaExample, span: { passageIndex: number; start: number; end: number } | undefined) =>
  Boolean(span && e.answerable && overlapsAnswer(span, e.item.answers, e.passageTexts[span.passageIndex]!));

/**
 * Folds grouped by document: every question of a page lands in the same fold (pages dealt round-robin in
 * order of first appearance); unanswerable questions, which belong to no page, are dealt round-robin.
 */
export function documentFolds(examples: readonly QaExample[], k: number): number[] {
  const docFold = new Map<string, number>();
  let nextDoc = 0;
  let nextFree = 0;
  return examples.map((e) => {
    const doc = e.item.document;
    if (!doc) return nextFree++ % k;
    if (!docFold.has(doc)) docFold.set(doc, nextDoc++ % k);
    return docFold.get(doc)!;
  });
}

const group = (e: QaExample) => ({ rows: e.evidence.candidates.map((c) => c.features), positive: e.positive });

/** The best span under a ranker and the calibrator's view of it. */
function bestOf(e: QaExample, ranker: readonly number[]): { span: RankedSpan | undefined; row: number[] } {
  const ranked = rankSpans(e.evidence, ranker, textOf(e));
  return { span: ranked[0], row: answerFeatures(e.evidence, ranked, 0) };
}

/** Rates at a threshold over scored questions. */
export function ratesAt(scored: ReadonlyArray<{ e: QaExample; score: number; right: boolean }>, threshold: number) {
  let has = 0,
    overlap = 0,
    no = 0,
    abstained = 0;
  for (const s of scored) {
    if (s.e.answerable) {
      has++;
      if (s.score >= threshold && s.right) overlap++;
    } else {
      no++;
      if (s.score < threshold) abstained++;
    }
  }
  return { overlap: overlap / (has || 1), abstain: abstained / (no || 1) };
}

function chooseThreshold(
  scored: ReadonlyArray<{ e: QaExample; score: number; right: boolean }>,
  rule: FitSettings["thresholdRule"],
): number {
  const candidates = [...new Set(scored.map((s) => Math.round(s.score * 100) / 100))].sort((a, b) => a - b);
  const value = (t: number) => {
    const r = ratesAt(scored, t);
    return rule === "balanced" ? (r.overlap + r.abstain) / 2 : Math.min(r.overlap - 0.6, r.abstain - 0.8);
  };
  let best = 0.5;
  let bestValue = -Infinity;
  for (const t of candidates) {
    const v = value(t);
    if (v > bestValue + 1e-9) {
      best = t;
      bestValue = v;
    }
  }
  return best;
}

/**
 * Fit the whole reader on `train`: the calibrator learns from ranker outputs the ranker was not fitted on
 * (inner folds by document), the threshold is chosen on the calibrator's own cross-fitted scores, and the
 * ranker that ships is refitted on all of `train`.
 */
export function fitReader(train: readonly QaExample[], settings: FitSettings = DEFAULT_SETTINGS): FittedReader {
  const folds = documentFolds(train, settings.folds);
  const rows: number[][] = new Array(train.length);
  const spans: Array<RankedSpan | undefined> = new Array(train.length);
  for (let f = 0; f < settings.folds; f++) {
    const w = fitSoftmaxRanker(train.filter((_, i) => folds[i] !== f).map(group), { l2: settings.rankerL2 });
    train.forEach((e, i) => {
      if (folds[i] !== f) return;
      const b = bestOf(e, w);
      rows[i] = b.row;
      spans[i] = b.span;
    });
  }
  const labels = train.map((e, i) => (isRight(e, spans[i]) ? 1 : 0));
  // Cross-fitted calibrated scores: for the isotonic map and the threshold.
  const scored: Array<{ e: QaExample; score: number; right: boolean }> = new Array(train.length);
  const raw: number[] = new Array(train.length);
  for (let f = 0; f < settings.folds; f++) {
    const idx = train.map((_, i) => i).filter((i) => folds[i] !== f);
    const w = fitLogistic(
      idx.map((i) => rows[i]!),
      idx.map((i) => labels[i]!),
      { l2: settings.calibratorL2 },
    );
    train.forEach((e, i) => {
      if (folds[i] === f) raw[i] = sigmoid(dot(w, rows[i]!));
    });
  }
  const calibrator = fitLogistic(rows, labels, { l2: settings.calibratorL2 });
  const isotonic = settings.isotonic ? fitIsotonic(raw, labels) : null;
  train.forEach(
    (e, i) => (scored[i] = { e, score: isotonic ? applyIsotonic(isotonic, raw[i]!) : raw[i]!, right: labels[i] === 1 }),
  );
  const threshold = chooseThreshold(scored, settings.thresholdRule);
  const ranker = fitSoftmaxRanker(train.map(group), { l2: settings.rankerL2 });
  return { ranker, calibrator, isotonic, threshold };
}

export interface Prediction {
  e: QaExample;
  text: string;
  score: number;
  answered: boolean;
  right: boolean;
  f1: number;
  threshold: number;
}

/** What a fitted reader answers for one question. */
export function predict(model: FittedReader, e: QaExample): Prediction {
  const { span, row } = bestOf(e, model.ranker);
  const score = calibratedScore(model, row);
  const answered = Boolean(span) && score >= model.threshold;
  const text = span ? textOf(e)(span) : "";
  return {
    e,
    text,
    score,
    answered,
    right: isRight(e, span),
    f1: answered && e.answerable ? tokenF1(text, e.item.answers) : 0,
    threshold: model.threshold,
  };
}

/** Cross-fitted predictions: each fold's questions answered by a reader fitted on the other folds only. */
export function crossFit(examples: readonly QaExample[], settings: FitSettings = DEFAULT_SETTINGS): Prediction[] {
  const folds = documentFolds(examples, settings.folds);
  const out: Prediction[] = new Array(examples.length);
  for (let f = 0; f < settings.folds; f++) {
    const model = fitReader(
      examples.filter((_, i) => folds[i] !== f),
      settings,
    );
    examples.forEach((e, i) => {
      if (folds[i] === f) out[i] = predict(model, e);
    });
  }
  return out;
}

/** The headline numbers of a set of predictions. */
export function summarize(preds: readonly Prediction[]) {
  const has = preds.filter((p) => p.e.answerable);
  const no = preds.filter((p) => !p.e.answerable);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const bands = [0, 0.2, 0.4, 0.6, 0.8, 1.0001].slice(0, -1).map((lo, i, all) => {
    const hi = all[i + 1] ?? 1.0001;
    const inBand = preds.filter((p) => p.score >= lo && p.score < hi);
    return {
      lo,
      hi: Math.min(1, hi),
      n: inBand.length,
      meanScore: mean(inBand.map((p) => p.score)),
      right: mean(inBand.map((p) => (p.right ? 1 : 0))),
    };
  });
  const brier = mean(preds.map((p) => (p.score - (p.right ? 1 : 0)) ** 2));
  return {
    overlap: mean(has.map((p) => (p.answered && p.right ? 1 : 0))),
    abstain: mean(no.map((p) => (p.answered ? 0 : 1))),
    f1: mean(has.map((p) => p.f1)),
    answerableAbstained: mean(has.map((p) => (p.answered ? 0 : 1))),
    bestRight: mean(has.map((p) => (p.right ? 1 : 0))),
    brier,
    bands,
  };
}

export { ANSWER_FEATURES };
