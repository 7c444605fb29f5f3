import { dot, softmax } from "./learn.ts";
import type { QuestionEvidence, SpanCandidateFeatures } from "./span-features.ts";

/** A candidate span with the ranker's share of belief among the question's candidates. */
export interface RankedSpan extends SpanCandidateFeatures {
  /** Softmax share over every candidate of the question (0–1). */
  probability: number;
  /** The best share held by a candidate with a different text (0 when there is none). */
  rival: number;
}

const key = (c: SpanCandidateFeatures) => `${c.passageIndex}:${c.start}:${c.end}`;

/**
 * Rank a question's candidates with the span ranker's weights: softmax over all candidates, the same
 * span offered under several shapes keeps its best, best first. Each span also learns its strongest
 * rival (the best candidate whose text differs), which the calibrator reads as doubt.
 */
export function rankSpans(evidence: QuestionEvidence, weights: readonly number[], textOf: (c: SpanCandidateFeatures) => string): RankedSpan[] {
  const shares = softmax(evidence.candidates.map((c) => dot(weights, c.features)));
  const best = new Map<string, RankedSpan>();
  evidence.candidates.forEach((c, i) => {
    const k = key(c);
    const held = best.get(k);
    if (!held) best.set(k, { ...c, probability: shares[i]!, rival: 0 });
    else held.probability += shares[i]!;
  });
  const ranked = [...best.values()].sort((a, b) => b.probability - a.probability);
  const norm = (c: SpanCandidateFeatures) => textOf(c).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  for (const r of ranked) r.rival = ranked.find((o) => o !== r && norm(o) !== norm(r))?.probability ?? 0;
  return ranked;
}

/** The calibrator's view of one ranked span (in the order of ANSWER_FEATURES). */
export function answerFeatures(evidence: QuestionEvidence, span: RankedSpan): number[] {
  return [1, span.probability, span.probability - span.rival, span.features[1]!, span.features[2]!, evidence.foundInPassages, evidence.missingTerm, span.features[5]!];
}
