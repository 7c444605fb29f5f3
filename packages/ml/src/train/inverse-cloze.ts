import { splitSentences } from "@genq/core";
import type { Rng } from "../rng.ts";

/** Sentences of a passage that can stand in for a query: 5–40 words with at least one letter. */
export function clozeCandidates(text: string): Array<{ start: number; end: number }> {
  return splitSentences(text).filter((s) => {
    const sentence = text.slice(s.start, s.end);
    const n = sentence.split(/\s+/).length;
    return n >= 5 && n <= 40 && /[a-z]/i.test(sentence);
  });
}

/**
 * Inverse-cloze pairs (Lee et al., 2019): `perPassage` sentences drawn from each passage become queries
 * whose positive is the rest of the passage, so the model learns which words a passage keeps around a
 * sentence rather than the sentence's own words. Fresh draws every call (every epoch).
 */
export function inverseClozePairs(
  passages: readonly string[],
  candidates: ReadonlyArray<ReadonlyArray<{ start: number; end: number }>>,
  eligible: readonly number[],
  perPassage: number,
  rng: Rng,
): Array<{ passageIndex: number; query: string; rest: string }> {
  const out: Array<{ passageIndex: number; query: string; rest: string }> = [];
  for (const i of eligible) {
    const spans = candidates[i]!;
    if (spans.length < 2) continue;
    const picked = new Set<number>();
    for (let k = 0; k < Math.min(perPassage, spans.length - 1); k++) {
      let s = rng.int(spans.length);
      while (picked.has(s)) s = (s + 1) % spans.length;
      picked.add(s);
      const { start, end } = spans[s]!;
      const text = passages[i]!;
      const query = text.slice(start, end);
      const rest = `${text.slice(0, start)} ${text.slice(end)}`;
      out.push({ passageIndex: i, query, rest });
    }
  }
  return out;
}
