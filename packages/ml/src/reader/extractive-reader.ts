import type { AnswerSpan, Generator, Passage, Reader } from "@genq/core";
import { scoreSpans as scoreWith, type ScoredSpan as RankedScoredSpan } from "./ranking.ts";
import { READER_MODEL } from "./reader-model.ts";
import { questionEvidence } from "./span-features.ts";

/** The name the embedded reader reports in answer metadata. */
export const EXTRACTIVE_READER_ID = `genq-extractive-reader@${READER_MODEL.version}`;

export interface ExtractiveReaderOptions {
  /** Calibrated score below which the reader abstains; defaults to the one chosen on the development set. */
  threshold?: number;
}

interface ScoredSpan extends RankedScoredSpan {
  passageId: string;
  text: string;
}

/**
 * Read the passages: candidate spans ranked by the fitted span ranker, each scored by the fitted
 * calibrator; spans that overlap a better one in the same passage are dropped.
 */
function scoreSpans(question: string, passages: readonly Passage[]) {
  const evidence = questionEvidence(question, passages);
  const textOf = (c: { passageIndex: number; start: number; end: number }) =>
    passages[c.passageIndex]!.text.slice(c.start, c.end);
  const kept: ScoredSpan[] = scoreWith(evidence, READER_MODEL, textOf).map((s) => ({
    ...s,
    passageId: passages[s.passageIndex]!.id,
    text: textOf(s),
  }));
  return { kind: evidence.analysis.kind, spans: kept.sort((a, b) => b.score - a.score) };
}

const round = (x: number) => Number(x.toFixed(4));
const toAnswer = (s: ScoredSpan): AnswerSpan => ({
  passageId: s.passageId,
  start: s.start,
  end: s.end,
  text: s.text,
  score: round(s.score),
});

/**
 * The embedded extractive reader: no neural model, a small fitted one. It finds candidate spans (code,
 * amounts, versions, noun phrases, table cells, "X is Y" predicates, reasons, conditions…) in the
 * sentences that cover the question best, ranks them for the kind of question asked (who, when, how
 * many, which command…), and scores the best with a calibrated probability that it is right. Below the
 * threshold it abstains: `noAnswer`, with its best guess kept aside.
 */
export function createExtractiveReader(options: ExtractiveReaderOptions = {}): Reader {
  const threshold = options.threshold ?? READER_MODEL.threshold;
  return {
    async read(question, passages, topK) {
      const t0 = performance.now();
      const { kind, spans } = scoreSpans(question, passages);
      const answers = spans
        .filter((s) => s.score >= threshold)
        .slice(0, topK)
        .map(toAnswer);
      return {
        answers,
        noAnswer: answers.length === 0,
        bestGuess: answers.length === 0 && spans[0] ? toAnswer(spans[0]) : null,
        metadata: {
          model: EXTRACTIVE_READER_ID,
          latencyMs: round(performance.now() - t0),
          questionType: kind,
          threshold,
        },
      };
    },
  };
}

/**
 * Extractive RAG that abstains: when the reader's best span falls below the threshold the answer is
 * "not in the passages"; otherwise the answer is the sentences holding the best spans (the best first,
 * at most one per passage, up to `maxSentences`), each citing its passage span — nothing is said that
 * no passage says.
 */
export function createExtractiveGenerator(
  options: ExtractiveReaderOptions & { maxSentences?: number } = {},
): Generator {
  const threshold = options.threshold ?? READER_MODEL.threshold;
  const maxSentences = options.maxSentences ?? 3;
  return {
    async answer(question, passages) {
      const t0 = performance.now();
      const { kind, spans } = scoreSpans(question, passages);
      const metadata = () => ({
        model: EXTRACTIVE_READER_ID,
        latencyMs: round(performance.now() - t0),
        questionType: kind,
        threshold,
      });
      const best = spans[0];
      if (!best || best.score < threshold) {
        return {
          answer: "",
          sentences: [],
          noAnswer: true,
          reason: `none of the ${passages.length} retrieved passages answers the question (best score ${round(best?.score ?? 0)}, below ${threshold})`,
          score: round(best?.score ?? 0),
          metadata: metadata(),
        };
      }
      const chosen: ScoredSpan[] = [];
      for (const s of spans) {
        if (s.score < threshold || chosen.length >= maxSentences) break;
        const text = passages[s.passageIndex]!.text.slice(s.sentence.start, s.sentence.end);
        if (
          chosen.some(
            (c) =>
              c.passageIndex === s.passageIndex ||
              passages[c.passageIndex]!.text.slice(c.sentence.start, c.sentence.end) === text,
          )
        )
          continue;
        chosen.push(s);
      }
      const sentences = chosen.map((s) => ({
        text: passages[s.passageIndex]!.text.slice(s.sentence.start, s.sentence.end),
        citations: [{ passageId: s.passageId, start: s.sentence.start, end: s.sentence.end }],
      }));
      return {
        answer: sentences.map((s) => s.text).join(" "),
        sentences,
        noAnswer: false,
        score: round(best.score),
        metadata: metadata(),
      };
    },
  };
}
