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
  /** How many of the ranker's best spans the calibrator scores; the best calibrated one answers. */
  spans: number;
}

export interface FitSettings {
  folds: number;
  rankerL2: number;
  calibratorL2: number;
  isotonic: boolean;
  /**
   * How the threshold is chosen on cross-fitted scores: the mean of the two rates; the worst margin over the
   * targets; or "abstention": the most answerable questions answered while at least `abstainTarget` of the
   * unanswerable ones abstain (the worst margin where no threshold gets there).
   */
  thresholdRule: "balanced" | "targets" | "abstention";
  abstainTarget: number;
  /** How many of the ranker's best (non-overlapping) spans the calibrator learns from and scores. */
  spans: number;
}

export const DEFAULT_SETTINGS: FitSettings = {
  folds: 5,
  rankerL2: 0.003,
  calibratorL2: 0.001,
  isotonic: false,
  thresholdRule: "abstention",
  abstainTarget: 0.83,
  spans: 1,
};

/** The indices of the features an environment variable names (name,name) for an ablation: they are set to 0. */
function droppedFeatures(variable: string, kind: string, names: readonly string[]): number[] {
  return (process.env[variable] ?? "")
    .split(",")
    .filter(Boolean)
    .map((name) => {
      const i = names.indexOf(name);
      if (i < 0) throw new Error(`${variable}: no ${kind} feature named ${name} (${names.join(", ")})`);
      return i;
    });
}

/** Span features left out for an ablation: DROP=name,name. */
const dropped = droppedFeatures("DROP", "span", SPAN_FEATURES);

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

/** Answer features left out for an ablation: DROP_ANSWER=name,name. */
const droppedAnswer = droppedFeatures("DROP_ANSWER", "answer", ANSWER_FEATURES);

const group = (e: QaExample) => ({ rows: e.evidence.candidates.map((c) => c.features), positive: e.positive });

/**
 * The spans a reader weighs for a question under a ranker: the first `spans` ranked spans that do not
 * overlap a better one in the same passage (as the served reader keeps them), each with the calibrator's
 * view of it. A question without candidates yields one row for "no span".
 */
function spansOf(
  e: QaExample,
  ranker: readonly number[],
  spans: number,
): Array<{ span: RankedSpan | undefined; row: number[] }> {
  const ranked = rankSpans(e.evidence, ranker, textOf(e));
  const out: Array<{ span: RankedSpan | undefined; row: number[] }> = [];
  for (let i = 0; i < ranked.length && out.length < spans; i++) {
    const span = ranked[i]!;
    if (
      out.some(
        (o) => o.span!.passageIndex === span.passageIndex && o.span!.start < span.end && span.start < o.span!.end,
      )
    )
      continue;
    out.push({ span, row: answerFeatures(e.evidence, ranked, i) });
  }
  if (!out.length) out.push({ span: undefined, row: answerFeatures(e.evidence, ranked, 0) });
  for (const o of out) for (const i of droppedAnswer) o.row[i] = 0;
  return out;
}

/** The span with the best calibrated score among a question's weighed spans. */
function bestScored<T extends { row: number[] }>(options: readonly T[], score: (row: number[]) => number) {
  let best = options[0]!;
  let bestScore = score(best.row);
  for (const o of options.slice(1)) {
    const s = score(o.row);
    if (s > bestScore) {
      best = o;
      bestScore = s;
    }
  }
  return { best, score: bestScore };
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
  settings: Pick<FitSettings, "thresholdRule" | "abstainTarget">,
): number {
  const candidates = [...new Set(scored.map((s) => Math.round(s.score * 100) / 100))].sort((a, b) => a - b);
  const rule =
    settings.thresholdRule === "abstention" &&
    !candidates.some((t) => ratesAt(scored, t).abstain >= settings.abstainTarget)
      ? "targets"
      : settings.thresholdRule;
  const value = (t: number) => {
    const r = ratesAt(scored, t);
    if (rule === "balanced") return (r.overlap + r.abstain) / 2;
    if (rule === "abstention") return r.abstain >= settings.abstainTarget ? r.overlap : -Infinity;
    return Math.min(r.overlap - 0.6, r.abstain - 0.8);
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
  const options: Array<Array<{ span: RankedSpan | undefined; row: number[]; label: number }>> = new Array(train.length);
  for (let f = 0; f < settings.folds; f++) {
    const w = fitSoftmaxRanker(train.filter((_, i) => folds[i] !== f).map(group), { l2: settings.rankerL2 });
    train.forEach((e, i) => {
      if (folds[i] !== f) return;
      options[i] = spansOf(e, w, settings.spans).map((o) => ({ ...o, label: isRight(e, o.span) ? 1 : 0 }));
    });
  }
  const rowsOf = (idx: readonly number[]) => idx.flatMap((i) => options[i]!.map((o) => o.row));
  const labelsOf = (idx: readonly number[]) => idx.flatMap((i) => options[i]!.map((o) => o.label));
  // Cross-fitted calibrated scores of each question's best span: for the isotonic map and the threshold.
  const raw: number[] = new Array(train.length);
  const labels: number[] = new Array(train.length);
  for (let f = 0; f < settings.folds; f++) {
    const idx = train.map((_, i) => i).filter((i) => folds[i] !== f);
    const w = fitLogistic(rowsOf(idx), labelsOf(idx), { l2: settings.calibratorL2 });
    train.forEach((e, i) => {
      if (folds[i] !== f) return;
      const { best, score } = bestScored(options[i]!, (row) => sigmoid(dot(w, row)));
      raw[i] = score;
      labels[i] = best.label;
    });
  }
  const all = train.map((_, i) => i);
  const calibrator = fitLogistic(rowsOf(all), labelsOf(all), { l2: settings.calibratorL2 });
  const isotonic = settings.isotonic ? fitIsotonic(raw, labels) : null;
  const scored = train.map((e, i) => ({
    e,
    score: isotonic ? applyIsotonic(isotonic, raw[i]!) : raw[i]!,
    right: labels[i] === 1,
  }));
  const threshold = chooseThreshold(scored, settings);
  const ranker = fitSoftmaxRanker(train.map(group), { l2: settings.rankerL2 });
  return { ranker, calibrator, isotonic, threshold, spans: settings.spans };
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
  const {
    best: { span },
    score,
  } = bestScored(spansOf(e, model.ranker, model.spans), (row) => calibratedScore(model, row));
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
  // The best overlap any single threshold on the pooled scores reaches while ≥ 80% of unanswerable questions
  // abstain: compares calibrators apart from the threshold each fold chose.
  const pooled = preds.map((p) => ({ e: p.e, score: p.score, right: p.right }));
  let frontier = 0;
  for (const t of new Set(pooled.map((p) => p.score))) {
    const r = ratesAt(pooled, t);
    if (r.abstain >= 0.8) frontier = Math.max(frontier, r.overlap);
  }
  return {
    overlap: mean(has.map((p) => (p.answered && p.right ? 1 : 0))),
    abstain: mean(no.map((p) => (p.answered ? 0 : 1))),
    f1: mean(has.map((p) => p.f1)),
    answerableAbstained: mean(has.map((p) => (p.answered ? 0 : 1))),
    bestRight: mean(has.map((p) => (p.right ? 1 : 0))),
    brier,
    frontier,
    bands,
  };
}

export { ANSWER_FEATURES };
