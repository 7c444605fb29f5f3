/**
 * Fit the embedded reader on the QA *development* set (bench/qa/dev.jsonl; the test set is never read
 * here): the span ranker (listwise softmax over each question's candidate spans), the calibrator
 * (logistic regression: P(the best span overlaps a right answer), unanswerable questions count as
 * wrong) and the no-answer threshold, then write packages/ml/src/reader/reader-model.ts.
 *
 * The calibrator learns from out-of-fold ranker outputs (5 folds by question), and the threshold is
 * chosen on out-of-fold calibrated scores, so neither sees its own training data.
 * Run: npm run bench:qa-calibrate   (DRY=1 prints the development numbers without writing the model)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fitLogistic, fitSoftmaxRanker, sigmoid, dot } from "../packages/ml/src/reader/learn.ts";
import { answerFeatures, rankSpans } from "../packages/ml/src/reader/ranking.ts";
import { ANSWER_FEATURES, SPAN_FEATURES, questionEvidence, type QuestionEvidence } from "../packages/ml/src/reader/span-features.ts";
import { QA_PASSAGES } from "../packages/ml/src/reader/settings.ts";
import { openQaCorpus } from "./lib/qa-harness.ts";
import { loadQaSplit, locateGold, overlapsAnswer, tokenF1 } from "./lib/qa-set.ts";

const FOLDS = 5;
const corpus = await openQaCorpus();
const items = loadQaSplit("dev");
locateGold(items, corpus.passages);

interface Example {
  id: string;
  answerable: boolean;
  answers: string[];
  evidence: QuestionEvidence;
  texts: string[];
  passageTexts: string[];
  positive: boolean[];
}
const examples: Example[] = [];
for (const item of items) {
  const passages = await corpus.retrieve(item.question, QA_PASSAGES);
  const evidence = questionEvidence(item.question, passages);
  const texts = evidence.candidates.map((c) => passages[c.passageIndex]!.text.slice(c.start, c.end));
  const positive = evidence.candidates.map((c, i) => item.answers.length > 0 && tokenF1(texts[i]!, item.answers) >= 0.5 && overlapsAnswer(c, item.answers, passages[c.passageIndex]!.text));
  examples.push({ id: item.id, answerable: item.answers.length > 0, answers: item.answers, evidence, texts, passageTexts: passages.map((p) => p.text), positive });
}
corpus.close();

const group = (e: Example) => ({ rows: e.evidence.candidates.map((c) => c.features), positive: e.positive });
const textOf = (e: Example) => (c: { passageIndex: number; start: number; end: number }) => e.passageTexts[c.passageIndex]!.slice(c.start, c.end);
const best = (e: Example, weights: number[]) => rankSpans(e.evidence, weights, textOf(e))[0];
const right = (e: Example, span: { passageIndex: number; start: number; end: number } | undefined) =>
  Boolean(span && e.answerable && overlapsAnswer(span, e.answers, e.passageTexts[span.passageIndex]!));

// Out-of-fold best spans and their calibrator rows.
const oof: Array<{ e: Example; row: number[]; label: number; span: ReturnType<typeof best> }> = [];
for (let f = 0; f < FOLDS; f++) {
  const w = fitSoftmaxRanker(examples.filter((_, i) => i % FOLDS !== f).map(group));
  examples.forEach((e, i) => {
    if (i % FOLDS !== f) return;
    const span = best(e, w);
    oof.push({ e, span, row: span ? answerFeatures(e.evidence, span) : [1, 0, 0, 0, 0, e.evidence.foundInPassages, e.evidence.missingTerm, 0], label: right(e, span) ? 1 : 0 });
  });
}
const ranker = fitSoftmaxRanker(examples.map(group));
const calibrator = fitLogistic(oof.map((o) => o.row), oof.map((o) => o.label));

// Cross-fitted calibrated scores choose the threshold.
const scores = new Map<string, number>();
for (let f = 0; f < FOLDS; f++) {
  const train = oof.filter((_, i) => i % FOLDS !== f);
  const w = fitLogistic(train.map((o) => o.row), train.map((o) => o.label));
  oof.forEach((o, i) => i % FOLDS === f && scores.set(o.e.id, sigmoid(dot(w, o.row))));
}
const evaluate = (threshold: number) => {
  let hasAns = 0, overlap = 0, noAns = 0, abstained = 0, f1 = 0;
  for (const o of oof) {
    const answered = scores.get(o.e.id)! >= threshold && o.span;
    if (o.e.answerable) {
      hasAns++;
      if (answered && o.label) overlap++;
      if (answered) f1 += tokenF1(textOf(o.e)(o.span!), o.e.answers);
    } else {
      noAns++;
      if (!answered) abstained++;
    }
  }
  return { threshold, overlap: overlap / hasAns, abstain: abstained / noAns, f1: f1 / hasAns, balanced: (overlap / hasAns + abstained / noAns) / 2 };
};
const candidates = [...new Set([...scores.values()].map((s) => Math.round(s * 100) / 100))].sort((a, b) => a - b);
const chosen = candidates.map(evaluate).reduce((a, b) => (b.balanced > a.balanced + 1e-9 ? b : a), evaluate(0.5));
const threshold = chosen.threshold;

// Reliability on the development set (cross-fitted scores): fraction right per score band.
const bands = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];
const reliability = bands.slice(0, -1).map((lo, i) => {
  const inBand = oof.filter((o) => scores.get(o.e.id)! >= lo && scores.get(o.e.id)! < bands[i + 1]!);
  return { band: `${lo.toFixed(1)}–${Math.min(1, bands[i + 1]!).toFixed(1)}`, n: inBand.length, meanScore: inBand.reduce((s, o) => s + scores.get(o.e.id)!, 0) / (inBand.length || 1), right: inBand.reduce((s, o) => s + o.label, 0) / (inBand.length || 1) };
});

console.log("ranker", SPAN_FEATURES.map((f, i) => `${f}=${ranker[i]!.toFixed(2)}`).join(" "));
console.log("calibrator", ANSWER_FEATURES.map((f, i) => `${f}=${calibrator[i]!.toFixed(2)}`).join(" "));
console.log(`development set: ${examples.length} questions (${examples.filter((e) => e.answerable).length} answerable), ${QA_PASSAGES} passages each`);
console.log(`candidate with a right span ranked first (out of fold): ${oof.filter((o) => o.label).length}/${examples.filter((e) => e.answerable).length}`);
console.log(`threshold ${threshold}: answerable with an overlapping span ${(chosen.overlap * 100).toFixed(1)}%, unanswerable abstained ${(chosen.abstain * 100).toFixed(1)}%, F1 ${(chosen.f1 * 100).toFixed(1)}`);
console.log("reliability (cross-fitted):", reliability.map((r) => `${r.band}: n=${r.n} mean ${r.meanScore.toFixed(2)} right ${r.right.toFixed(2)}`).join(" | "));
if (process.env.VERBOSE) {
  for (const o of oof) if (o.e.answerable) console.log(o.label ? "✓" : "✗", o.e.id, scores.get(o.e.id)!.toFixed(2), JSON.stringify(o.span ? textOf(o.e)(o.span).slice(0, 80) : null), "←", JSON.stringify(o.e.answers[0]));
  for (const o of oof) if (!o.e.answerable) console.log(scores.get(o.e.id)! >= threshold ? "✗" : "✓", o.e.id, scores.get(o.e.id)!.toFixed(2), JSON.stringify(o.span ? textOf(o.e)(o.span).slice(0, 80) : null));
}

if (!process.env.DRY) {
  const round = (ws: number[]) => ws.map((w) => Number(w.toFixed(4)));
  const file = join(import.meta.dirname, "../packages/ml/src/reader/reader-model.ts");
  writeFileSync(
    file,
    `// Generated by \`npm run bench:qa-calibrate\` from bench/qa/dev.jsonl (the development set); do not edit by hand.\n` +
      `// Ranker: listwise softmax over candidate spans. Calibrator: logistic regression, P(the span overlaps a right\n` +
      `// answer) on out-of-fold ranker outputs. Threshold: best balanced accuracy on cross-fitted scores.\n\n` +
      `/** The embedded reader's fitted weights, in the order of SPAN_FEATURES and ANSWER_FEATURES. */\n` +
      `export const READER_MODEL = ${JSON.stringify({ version: 1, fittedOn: { split: "dev", questions: examples.length, answerable: examples.filter((e) => e.answerable).length }, spanFeatures: SPAN_FEATURES, ranker: round(ranker), answerFeatures: ANSWER_FEATURES, calibrator: round(calibrator), threshold }, null, 2)} as const;\n`,
  );
  console.log(`wrote ${file}`);
}
