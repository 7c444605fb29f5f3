import { z } from "zod";
import { countWords, splitSentences, wordSpans, type Span } from "./sentences.ts";

export const ChunkOptions = z
  .object({
    /** Words a passage aims for; sentences are added while the passage stays within it. */
    targetWords: z.number().int().min(8).default(220),
    /** Hard ceiling: a single sentence longer than this is cut at word boundaries. */
    maxWords: z.number().int().min(8).default(320),
    /** Sentences repeated at the start of the next passage, so an answer across a cut is not lost. */
    overlapSentences: z.number().int().min(0).max(5).default(1),
    /** A trailing passage shorter than this is merged into the previous one when it fits under maxWords. */
    minWords: z.number().int().min(0).default(40),
  })
  .refine((o) => o.maxWords >= o.targetWords, { message: "maxWords must be at least targetWords", path: ["maxWords"] });
export type ChunkOptions = z.infer<typeof ChunkOptions>;
export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = ChunkOptions.parse({});

interface Unit extends Span {
  words: number;
}

/** Sentences, with any sentence over maxWords cut into word windows of at most maxWords. */
function units(text: string, maxWords: number): Unit[] {
  const out: Unit[] = [];
  for (const s of splitSentences(text)) {
    const words = countWords(text, s.start, s.end);
    if (words <= maxWords) {
      out.push({ ...s, words });
      continue;
    }
    const ws = wordSpans(text, s.start, s.end);
    for (let i = 0; i < ws.length; i += maxWords) {
      const piece = ws.slice(i, i + maxWords);
      out.push({ start: piece[0]!.start, end: piece[piece.length - 1]!.end, words: piece.length });
    }
  }
  return out;
}

/**
 * Sentence-aware chunking: greedy packing of whole sentences up to `targetWords`, with
 * `overlapSentences` carried into the next chunk. Never cuts inside a word. Returns character spans
 * into `text` (so passages can be traced back to their document) in order; empty text gives none.
 */
export function chunkText(text: string, options: Partial<ChunkOptions> = {}): Span[] {
  const opts = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  const us = units(text, opts.maxWords);
  const chunks: Array<{ from: number; to: number; words: number }> = [];
  let i = 0;
  while (i < us.length) {
    let j = i;
    let words = 0;
    while (j < us.length && (j === i || words + us[j]!.words <= opts.targetWords)) words += us[j++]!.words;
    chunks.push({ from: i, to: j, words });
    if (j >= us.length) break;
    // Overlap only when the chunk keeps at least one sentence of its own; always make progress.
    i = Math.max(j - opts.overlapSentences, i + 1);
  }
  const last = chunks[chunks.length - 1];
  const prev = chunks[chunks.length - 2];
  if (last && prev && last.words < opts.minWords) {
    let merged = prev.words;
    for (let k = prev.to; k < last.to; k++) merged += us[k]!.words;
    if (merged <= opts.maxWords) {
      prev.to = last.to;
      prev.words = merged;
      chunks.pop();
    }
  }
  return chunks.map((c) => ({ start: us[c.from]!.start, end: us[c.to - 1]!.end }));
}
