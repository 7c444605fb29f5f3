/**
 * Fit the embedded reader on the QA *development* set (bench/qa/dev.jsonl; the test set is never read
 * here) and write packages/ml/src/reader/reader-model.ts: the span ranker (listwise softmax over each
 * question's candidate spans), the calibrator (logistic regression: P(the best span overlaps a right
 * answer), unanswerable questions count as wrong; optionally an isotonic map on top) and the no-answer
 * threshold.
 *
 * First it reports the development numbers *cross-fitted by document*: each fold's pages are answered by a
 * reader fitted on the other folds' pages only (and inside that fit, the calibrator learns from ranker
 * outputs on pages the ranker did not see, the threshold from the calibrator's cross-fitted scores). That
 * is the estimate of what the reader does on pages it was not fitted on — the situation of the test set.
 *
 * Run: npm run bench:qa-calibrate
 *   DRY=1           report only, do not write the model
 *   VERBOSE=1       every development question: cross-fitted answer, score, right or wrong
 *   ISOTONIC=1      isotonic map on the calibrator's output
 *   RULE            how the threshold is chosen: abstention (the default: the most answers while
 *                   ABSTAIN_TARGET, default 0.83, of the unanswerable questions abstain), targets (the worst
 *                   margin over the two targets) or balanced (balanced accuracy)
 *   SPANS           how many of the ranker's best spans the calibrator learns from and scores (default 1)
 *   DROP, DROP_ANSWER  span or answer features left out, for ablations;  FOLDS, RANKER_L2, CALIBRATOR_L2
 *   GENQ_QA_DATA    a data folder where the examples pipeline already ran
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ANSWER_FEATURES } from "../packages/ml/src/reader/ranking.ts";
import { SPAN_FEATURES } from "../packages/ml/src/reader/span-features.ts";
import { QA_PASSAGES } from "../packages/ml/src/reader/settings.ts";
import { openQaCorpus } from "./lib/qa-harness.ts";
import {
  buildExample,
  crossFit,
  DEFAULT_SETTINGS,
  fitReader,
  isRight,
  summarize,
  type FitSettings,
  type Prediction,
  type QaExample,
} from "./lib/qa-fit.ts";
import { loadQaSplit, locateGold } from "./lib/qa-set.ts";

const env = process.env;
const settings: FitSettings = {
  folds: Number(env.FOLDS ?? DEFAULT_SETTINGS.folds),
  rankerL2: Number(env.RANKER_L2 ?? DEFAULT_SETTINGS.rankerL2),
  calibratorL2: Number(env.CALIBRATOR_L2 ?? DEFAULT_SETTINGS.calibratorL2),
  isotonic: env.ISOTONIC ? env.ISOTONIC === "1" : DEFAULT_SETTINGS.isotonic,
  thresholdRule:
    env.RULE === "targets" || env.RULE === "balanced" || env.RULE === "abstention"
      ? env.RULE
      : DEFAULT_SETTINGS.thresholdRule,
  abstainTarget: Number(env.ABSTAIN_TARGET ?? DEFAULT_SETTINGS.abstainTarget),
  spans: Number(env.SPANS ?? DEFAULT_SETTINGS.spans),
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const corpus = await openQaCorpus();
const items = loadQaSplit("dev");
locateGold(items, corpus.passages);
const t0 = performance.now();
const examples: QaExample[] = [];
for (const item of items) examples.push(buildExample(item, await corpus.retrieve(item.question, QA_PASSAGES)));
corpus.close();
const tFeatures = performance.now() - t0;

const t1 = performance.now();
const preds = crossFit(examples, settings);
const tCross = performance.now() - t1;
const s = summarize(preds);
const answerable = examples.filter((e) => e.answerable).length;
console.log(
  `development set: ${examples.length} questions (${answerable} answerable, ${examples.length - answerable} unanswerable) on ${new Set(items.map((i) => i.document).filter(Boolean)).size} pages, ${QA_PASSAGES} passages each`,
);
console.log(
  `settings: ${JSON.stringify(settings)}; candidates and features ${(tFeatures / 1000).toFixed(1)} s, cross-fitting ${(tCross / 1000).toFixed(1)} s`,
);
const reachable = examples.filter(
  (e) => e.answerable && e.evidence.candidates.some((c, i) => e.positive[i] || isRight(e, c)),
);
console.log(
  `answerable questions with a right span among the candidates: ${pct(reachable.length / answerable)} (a positive one, F1 ≥ 0.5: ${pct(examples.filter((e) => e.positive.some(Boolean)).length / answerable)})`,
);
console.log(`\ncross-fitted by document (${settings.folds} folds):`);
console.log(
  `  answerable with an overlapping span ${pct(s.overlap)} · unanswerable abstained ${pct(s.abstain)} · F1 ${pct(s.f1)} · answerable abstained ${pct(s.answerableAbstained)} · best span right ${pct(s.bestRight)} · Brier ${s.brier.toFixed(4)} · overlap at ≥ 80% abstained ${pct(s.frontier)}`,
);
console.log(
  `  reliability: ${s.bands.map((b) => `${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: n=${b.n} mean ${b.meanScore.toFixed(2)} right ${b.right.toFixed(2)}`).join(" | ")}`,
);
const byType = new Map<string, Prediction[]>();
for (const p of preds) byType.set(p.e.item.type, [...(byType.get(p.e.item.type) ?? []), p]);
console.log(
  `  by type (answerable: overlapping/asked; unanswerable: abstained/asked): ` +
    [...byType.entries()]
      .sort()
      .map(([t, ps]) => {
        const h = ps.filter((p) => p.e.answerable);
        const n = ps.filter((p) => !p.e.answerable);
        return `${t} ${h.filter((p) => p.answered && p.right).length}/${h.length}${n.length ? `, ${n.filter((p) => !p.answered).length}/${n.length}` : ""}`;
      })
      .join(" · "),
);
if (env.VERBOSE) {
  for (const p of preds) {
    const ok = p.e.answerable ? p.answered && p.right : !p.answered;
    console.log(
      ok ? "✓" : "✗",
      p.e.item.id,
      p.e.item.type,
      p.answered ? "answered" : "abstained",
      p.score.toFixed(2),
      JSON.stringify(p.text.slice(0, 70)),
      p.e.answerable ? `← ${JSON.stringify(p.e.item.answers[0]!.slice(0, 50))}` : "(unanswerable)",
      "|",
      p.e.item.question,
    );
  }
}

if (!env.DRY) {
  const model = fitReader(examples, settings);
  const round = (ws: readonly number[]) => ws.map((w) => Number(w.toFixed(4)));
  const file = join(import.meta.dirname, "../packages/ml/src/reader/reader-model.ts");
  const content = {
    version: 2,
    fittedOn: {
      split: "dev",
      questions: examples.length,
      answerable,
      crossFitted: { overlap: Number(s.overlap.toFixed(4)), abstain: Number(s.abstain.toFixed(4)) },
    },
    spanFeatures: SPAN_FEATURES,
    ranker: round(model.ranker),
    answerFeatures: ANSWER_FEATURES,
    calibrator: round(model.calibrator),
    isotonic: model.isotonic
      ? { thresholds: round(model.isotonic.thresholds), values: round(model.isotonic.values) }
      : null,
    threshold: model.threshold,
  };
  writeFileSync(
    file,
    `// Generated by \`npm run bench:qa-calibrate\` from bench/qa/dev.jsonl (the development set); do not edit by hand.\n` +
      `// Ranker: listwise softmax over candidate spans. Calibrator: logistic regression, P(the best span overlaps a right\n` +
      `// answer), learnt from ranker outputs on pages the ranker was not fitted on${model.isotonic ? ", then an isotonic map" : ""}. Threshold: chosen on\n` +
      `// cross-fitted scores (${
        settings.thresholdRule === "balanced"
          ? "best balanced accuracy"
          : settings.thresholdRule === "abstention"
            ? `most answers while ${Math.round(100 * settings.abstainTarget)}% of unanswerable questions abstain`
            : "best worst margin over the targets"
      }). fittedOn.crossFitted: the development numbers cross-fitted by document.\n\n` +
      `/** The embedded reader's fitted weights, in the order of SPAN_FEATURES and ANSWER_FEATURES. */\n` +
      `export const READER_MODEL = {\n${Object.entries(content)
        .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
        .join("\n")}\n} as const;\n`,
  );
  console.log(`\nranker ${SPAN_FEATURES.map((f, i) => `${f}=${model.ranker[i]!.toFixed(2)}`).join(" ")}`);
  console.log(`calibrator ${ANSWER_FEATURES.map((f, i) => `${f}=${model.calibrator[i]!.toFixed(2)}`).join(" ")}`);
  console.log(`threshold ${model.threshold}; wrote ${file}`);
}
