/**
 * The QA benchmark: the embedded extractive reader on questions written against the shipped examples
 * (bench/qa/*.jsonl: answer spans marked in the documents, and questions the corpus does not answer).
 * Retrieval is what `/qa` does (hybrid search over the examples after a full local run, top passages),
 * then the reader. Also "given the right passage" (the reader alone, on answerable questions).
 *
 * Metrics (SQuAD 2.0 conventions): exact match and token F1 on answerable questions (an abstention
 * scores 0); "overlap": the answer's span covers part of a right answer in its passage; no-answer
 * accuracy: unanswerable questions where the reader abstained; and the calibration of its scores.
 * The development set fitted the reader (npm run bench:qa-calibrate); the test set is scored here only.
 * Run: npm run bench:qa   (SPLIT=dev|test|both, default both; GENQ_QA_DATA=<dir> reuses a data folder)
 */
import { createExtractiveReader } from "@genq/ml";
import type { Passage } from "@genq/core";
import { READER_MODEL } from "../packages/ml/src/reader/reader-model.ts";
import { QA_PASSAGES } from "../packages/ml/src/reader/settings.ts";
import { openQaCorpus } from "./lib/qa-harness.ts";
import { exactMatch, loadQaSplit, locateGold, overlapsAnswer, tokenF1, type QaSplit } from "./lib/qa-set.ts";

const corpus = await openQaCorpus();
const reader = createExtractiveReader();
const splits: QaSplit[] =
  process.env.SPLIT === "dev" || process.env.SPLIT === "test" ? [process.env.SPLIT] : ["dev", "test"];
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

for (const split of splits) {
  const items = loadQaSplit(split);
  const gold = locateGold(items, corpus.passages);
  const byId = new Map(corpus.passages.map((p) => [p.id, p]));
  const rows: Array<{
    id: string;
    type: string;
    answerable: boolean;
    answered: boolean;
    em: number;
    f1: number;
    overlap: boolean;
    score: number;
    text: string;
    ms: number;
    oracleOverlap?: boolean;
    oracleEm?: number;
    oracleF1?: number;
    retrieved: boolean;
    right: boolean;
  }> = [];
  for (const item of items) {
    const passages = await corpus.retrieve(item.question, QA_PASSAGES);
    const t0 = performance.now();
    const result = await reader.read(item.question, passages, 1);
    const ms = performance.now() - t0;
    const best = result.answers[0] ?? result.bestGuess;
    const passageText = (id: string) => passages.find((p) => p.id === id)?.text ?? byId.get(id)!.text;
    const answered = !result.noAnswer;
    const row = {
      id: item.id,
      type: item.type,
      answerable: item.answers.length > 0,
      answered,
      em: answered && item.answers.length ? exactMatch(result.answers[0]!.text, item.answers) : 0,
      f1: answered && item.answers.length ? tokenF1(result.answers[0]!.text, item.answers) : 0,
      overlap:
        answered &&
        item.answers.length > 0 &&
        overlapsAnswer(result.answers[0]!, item.answers, passageText(result.answers[0]!.passageId)),
      score: best?.score ?? 0,
      text: best?.text ?? "",
      ms,
      retrieved: item.answers.length > 0 && passages.some((p) => p.id === gold.get(item.id)?.passageId),
      right: Boolean(
        best && item.answers.length > 0 && overlapsAnswer(best, item.answers, passageText(best.passageId)),
      ),
    } as (typeof rows)[number];
    if (item.answers.length) {
      const goldPassage: Passage = byId.get(gold.get(item.id)!.passageId)!;
      const alone = await reader.read(item.question, [goldPassage], 1);
      const a = alone.answers[0];
      row.oracleOverlap = Boolean(a && overlapsAnswer(a, item.answers, goldPassage.text));
      row.oracleEm = a ? exactMatch(a.text, item.answers) : 0;
      row.oracleF1 = a ? tokenF1(a.text, item.answers) : 0;
    }
    rows.push(row);
  }
  const has = rows.filter((r) => r.answerable);
  const no = rows.filter((r) => !r.answerable);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const emHas = mean(has.map((r) => r.em));
  const f1Has = mean(has.map((r) => r.f1));
  const noAcc = mean(no.map((r) => (r.answered ? 0 : 1)));
  const overall = (m: "em" | "f1") => mean(rows.map((r) => (r.answerable ? r[m] : r.answered ? 0 : 1)));
  console.log(
    `\n## ${split} set: ${rows.length} questions (${has.length} answerable, ${no.length} unanswerable), top ${QA_PASSAGES} passages, threshold ${READER_MODEL.threshold}\n`,
  );
  console.log(`| metric | value |\n|---|---|`);
  console.log(
    `| answerable: answered with an overlapping span | **${pct(mean(has.map((r) => (r.overlap ? 1 : 0))))}** |`,
  );
  console.log(`| unanswerable: abstained (no-answer accuracy) | **${pct(noAcc)}** |`);
  console.log(`| answerable: exact match | ${pct(emHas)} |`);
  console.log(`| answerable: F1 | ${pct(f1Has)} |`);
  console.log(`| answerable: abstained | ${pct(mean(has.map((r) => (r.answered ? 0 : 1))))} |`);
  console.log(
    `| all questions, SQuAD 2.0 style (abstaining on unanswerable counts as right): EM / F1 | ${pct(overall("em"))} / ${pct(overall("f1"))} |`,
  );
  console.log(
    `| retrieval: right passage among the top ${QA_PASSAGES} | ${pct(mean(has.map((r) => (r.retrieved ? 1 : 0))))} |`,
  );
  console.log(
    `| given only the right passage: overlapping span (EM / F1) | ${pct(mean(has.map((r) => (r.oracleOverlap ? 1 : 0))))} (${pct(mean(has.map((r) => r.oracleEm ?? 0)))} / ${pct(mean(has.map((r) => r.oracleF1 ?? 0)))}) |`,
  );
  const sorted = rows.map((r) => r.ms).sort((a, b) => a - b);
  console.log(
    `| reader latency p50 / p95 (5 passages, this machine) | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms / ${sorted[Math.floor(sorted.length * 0.95)]!.toFixed(1)} ms |`,
  );

  console.log(
    `\nCalibration (every question's best span; right = overlaps a right answer; unanswerable = wrong):\n\n| score | questions | mean score | right |\n|---|---|---|---|`,
  );
  const bands = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];
  for (let i = 0; i + 1 < bands.length; i++) {
    const inBand = rows.filter((r) => r.score >= bands[i]! && r.score < bands[i + 1]!);
    const right = inBand.filter((r) => r.right);
    if (inBand.length)
      console.log(
        `| ${bands[i]!.toFixed(1)}–${Math.min(1, bands[i + 1]!).toFixed(1)} | ${inBand.length} | ${mean(inBand.map((r) => r.score)).toFixed(2)} | ${pct(right.length / inBand.length)} |`,
      );
  }

  console.log(`\nBy question type (answerable: overlapping / asked; unanswerable: abstained / asked):\n`);
  const types = [...new Set(rows.map((r) => r.type))].sort();
  console.log(
    types
      .map((t) => {
        const h = has.filter((r) => r.type === t);
        const n = no.filter((r) => r.type === t);
        return `${t} ${h.filter((r) => r.overlap).length}/${h.length}${n.length ? `, ${n.filter((r) => !r.answered).length}/${n.length}` : ""}`;
      })
      .join(" · "),
  );
  if (process.env.VERBOSE)
    for (const r of rows)
      console.log(
        r.answerable ? (r.overlap ? "✓" : "✗") : r.answered ? "✗" : "✓",
        r.id,
        r.answered ? "answered" : "abstained",
        r.score.toFixed(2),
        JSON.stringify(r.text.slice(0, 70)),
      );
}
corpus.close();
