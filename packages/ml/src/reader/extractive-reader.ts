import { splitSentences, type AnswerSpan, type Generator, type Passage, type Reader } from "@genq/core";
import { STOPWORDS, stem, words } from "../text/tokenize.ts";

interface Candidate extends AnswerSpan {
  rank: number;
}

const questionTerms = (question: string) => new Set(words(question).filter((w) => !STOPWORDS.has(w)).map(stem));

/**
 * Score every sentence of the passages by how much of the question it covers (each question term
 * weighted by its rarity across the given passages), with a small preference for better-ranked
 * passages and a penalty for very long sentences. Spans are character offsets into passage.text.
 */
function candidates(question: string, passages: readonly Passage[]): Candidate[] {
  const q = questionTerms(question);
  if (!q.size) return [];
  const df = new Map<string, number>();
  const sentenceTerms: Array<Array<{ start: number; end: number; terms: Set<string> }>> = passages.map((p) =>
    splitSentences(p.text).map((s) => {
      const terms = new Set(words(p.text.slice(s.start, s.end)).map(stem));
      return { ...s, terms };
    }),
  );
  for (const ss of sentenceTerms) {
    const seen = new Set<string>();
    for (const s of ss) for (const t of s.terms) if (q.has(t)) seen.add(t);
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const weight = (t: string) => Math.log(1 + (passages.length + 1) / ((df.get(t) ?? 0) + 0.5));
  const total = [...q].reduce((s, t) => s + weight(t), 0);
  const out: Candidate[] = [];
  passages.forEach((p, rank) => {
    const sentences = sentenceTerms[rank]!;
    sentences.forEach((s, position) => {
      let covered = 0;
      for (const t of q) if (s.terms.has(t)) covered += weight(t);
      if (covered === 0) return;
      const length = s.end - s.start;
      // Retrieval rank matters most; within a passage, earlier sentences tend to define and later ones to qualify.
      const score = (covered / total) * (1 / (1 + 0.25 * rank)) * (1 - (0.1 * position) / sentences.length) * (length > 400 ? 400 / length : length < 25 ? 0.5 : 1);
      out.push({ passageId: p.id, start: s.start, end: s.end, text: p.text.slice(s.start, s.end), score, rank });
    });
  });
  return out.sort((a, b) => b.score - a.score || a.rank - b.rank || a.start - b.start);
}

/** Extractive reader without a model: the best-matching sentences as answer spans. */
export function createExtractiveReader(): Reader {
  return {
    async read(question, passages, topK) {
      return candidates(question, passages).slice(0, topK).map(({ rank: _rank, ...span }) => ({ ...span, score: Number(span.score.toFixed(4)) }));
    },
  };
}

/**
 * Extractive RAG: the answer is the best few sentences (at most one per passage, up to three), in
 * order of relevance, each one cited with its passage id and span — nothing is said that no passage says.
 */
export function createExtractiveGenerator(maxSentences = 3): Generator {
  return {
    async answer(question, passages) {
      const chosen: Candidate[] = [];
      const used = new Set<string>();
      for (const c of candidates(question, passages)) {
        if (used.has(c.passageId) || chosen.some((x) => x.text === c.text)) continue;
        used.add(c.passageId);
        chosen.push(c);
        if (chosen.length === maxSentences) break;
      }
      if (!chosen.length) return { answer: "", sentences: [] };
      const sentences = chosen.map((c) => ({ text: c.text, citations: [{ passageId: c.passageId, start: c.start, end: c.end }] }));
      return { answer: sentences.map((s) => s.text).join(" "), sentences };
    },
  };
}
