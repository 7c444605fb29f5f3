import { applyIsotonic, dot, sigmoid, softmax, type IsotonicMap } from "./learn.ts";
import { SPAN_FEATURES, type QuestionEvidence, type SpanCandidateFeatures } from "./span-features.ts";

/** A candidate span with the ranker's share of belief among the question's candidates. */
export interface RankedSpan extends SpanCandidateFeatures {
  /** Softmax share over every candidate of the question (0–1). */
  probability: number;
  /** The best share held by a candidate with a different text (0 when there is none). */
  rival: number;
  /** The span's text, lower-cased, punctuation as spaces: spans with the same `norm` say the same thing. */
  norm: string;
}

/** The features the calibrator weighs for a question's best span, in order (the first is a constant). */
export const ANSWER_FEATURES = [
  "bias",
  "spanProbability",
  "margin",
  "sentenceCoverage",
  "contextCoverage",
  "foundInPassages",
  "missingTerm",
  "typeFit",
  "passageShare",
  "textShare",
  "contextMissing",
] as const;

const feature = (name: (typeof SPAN_FEATURES)[number]) => SPAN_FEATURES.indexOf(name);
const SPAN = {
  sentenceCoverage: feature("sentenceCoverage"),
  contextCoverage: feature("contextCoverage"),
  typeFit: feature("typeFit"),
  contextMissing: feature("contextMissing"),
};

/** A fitted reader: span ranker weights, calibrator weights, an optional isotonic map and the threshold. */
export interface ReaderWeights {
  ranker: readonly number[];
  calibrator: readonly number[];
  isotonic: { thresholds: readonly number[]; values: readonly number[] } | null;
  threshold: number;
}

const key = (c: SpanCandidateFeatures) => `${c.passageIndex}:${c.start}:${c.end}`;
const normalized = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/**
 * Rank a question's candidates with the span ranker's weights: softmax over all candidates, the same
 * span offered under several shapes keeps its summed share, best first. Each span also learns its
 * strongest rival (the best candidate whose text differs), which the calibrator reads as doubt.
 */
export function rankSpans(
  evidence: QuestionEvidence,
  weights: readonly number[],
  textOf: (c: SpanCandidateFeatures) => string,
): RankedSpan[] {
  const shares = softmax(evidence.candidates.map((c) => dot(weights, c.features)));
  const best = new Map<string, RankedSpan>();
  evidence.candidates.forEach((c, i) => {
    const k = key(c);
    const held = best.get(k);
    if (!held) best.set(k, { ...c, probability: shares[i]!, rival: 0, norm: "" });
    else {
      // The span keeps the features of its likeliest shape.
      if (shares[i]! > held.probability) Object.assign(held, { ...c, probability: held.probability, rival: 0 });
      held.probability += shares[i]!;
    }
  });
  const ranked = [...best.values()].sort((a, b) => b.probability - a.probability);
  for (const r of ranked) r.norm = normalized(textOf(r));
  ranked.forEach((r, i) => (r.rival = ranked.find((o, j) => j !== i && o.norm !== r.norm)?.probability ?? 0));
  return ranked;
}

/**
 * The calibrator's view of the `index`th ranked span (in the order of ANSWER_FEATURES): how sure the ranker
 * is and how far ahead of a different answer, how well its sentence covers the question, whether the
 * passages mention the question's words at all, and how concentrated the ranker's belief is — in the
 * span's passage, and on its text wherever it occurs (support spread over unrelated passages is doubt).
 */
export function answerFeatures(evidence: QuestionEvidence, ranked: readonly RankedSpan[], index = 0): number[] {
  const span = ranked[index];
  if (!span) return [1, 0, 0, 0, 0, evidence.foundInPassages, evidence.missingTerm, 0, 0, 0, 1];
  const passageShare = ranked.reduce((s, r) => s + (r.passageIndex === span.passageIndex ? r.probability : 0), 0);
  const textShare = ranked.reduce((s, r) => s + (r.norm === span.norm ? r.probability : 0), 0);
  const f = span.features;
  return [
    1,
    span.probability,
    span.probability - span.rival,
    f[SPAN.sentenceCoverage]!,
    f[SPAN.contextCoverage]!,
    evidence.foundInPassages,
    evidence.missingTerm,
    f[SPAN.typeFit]!,
    passageShare,
    textShare,
    f[SPAN.contextMissing]!,
  ];
}

/** A ranked span with its calibrated score: the estimated probability that it overlaps a right answer. */
export interface ScoredSpan extends RankedSpan {
  score: number;
}

/** Calibrated score from the calibrator's features. */
export function calibratedScore(
  weights: Pick<ReaderWeights, "calibrator" | "isotonic">,
  row: readonly number[],
): number {
  const p = sigmoid(dot(weights.calibrator, row));
  return weights.isotonic ? applyIsotonic(weights.isotonic as IsotonicMap, p) : p;
}

/**
 * Score a question's spans with a fitted reader: rank them, drop spans that overlap a better one in the
 * same passage, and give each of the first `limit` a calibrated score. Best first by rank.
 */
export function scoreSpans(
  evidence: QuestionEvidence,
  weights: ReaderWeights,
  textOf: (c: SpanCandidateFeatures) => string,
  limit = 20,
): ScoredSpan[] {
  const ranked = rankSpans(evidence, weights.ranker, textOf);
  const kept: ScoredSpan[] = [];
  for (let i = 0; i < ranked.length && kept.length < limit; i++) {
    const span = ranked[i]!;
    if (kept.some((k) => k.passageIndex === span.passageIndex && k.start < span.end && span.start < k.end)) continue;
    kept.push({ ...span, score: calibratedScore(weights, answerFeatures(evidence, ranked, i)) });
  }
  return kept;
}
