import { z } from "zod";
import { countWords, sentences, wordSpans, type Span } from "./sentences.ts";

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
    /**
     * Hard ceiling in characters (default: 20 per allowed word), so text without spaces — a base64 blob,
     * a one-word 50 MB file — is cut into passages of bounded size rather than kept as one.
     */
    maxChars: z.number().int().min(64).optional(),
  })
  .refine((o) => o.maxWords >= o.targetWords, { message: "maxWords must be at least targetWords", path: ["maxWords"] });
export type ChunkOptions = z.infer<typeof ChunkOptions>;
export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = ChunkOptions.parse({});

interface Unit extends Span {
  words: number;
}

/** The passage size limit in characters for these options. */
export const maxCharsOf = (o: Pick<ChunkOptions, "maxWords" | "maxChars">): number => o.maxChars ?? o.maxWords * 20;

/**
 * Sentences, with any sentence over maxWords cut into word windows of at most maxWords, and any piece
 * over maxChars cut into pieces of at most maxChars (between words where it can, never inside a
 * surrogate pair).
 */
function units(text: string, maxWords: number, maxChars: number): Unit[] {
  const out: Unit[] = [];
  const push = (start: number, end: number, words: number) => {
    if (end - start <= maxChars) return void out.push({ start, end, words });
    for (let from = start; from < end;) {
      let to = Math.min(end, from + maxChars);
      if (to < end) {
        // Only the window's second half is searched: a scan back to `from` would make a spaceless text quadratic.
        const half = from + Math.floor(maxChars / 2);
        const space = text.slice(half, to).lastIndexOf(" ");
        if (space > 0) to = half + space;
        else if (/[\uDC00-\uDFFF]/.test(text[to] ?? "")) to--;
      }
      const piece = text.slice(from, to);
      const lead = piece.length - piece.trimStart().length;
      const trail = piece.length - piece.trimEnd().length;
      if (piece.trim())
        out.push({ start: from + lead, end: to - trail, words: Math.max(1, countWords(text, from, to)) });
      from = to;
    }
  };
  for (const s of sentences(text)) {
    const words = s.words;
    if (words <= maxWords) {
      if (s.end - s.start <= maxChars) out.push(s);
      else push(s.start, s.end, words);
      continue;
    }
    const ws = wordSpans(text, s.start, s.end);
    for (let i = 0; i < ws.length; i += maxWords) {
      const piece = ws.slice(i, i + maxWords);
      push(piece[0]!.start, piece[piece.length - 1]!.end, piece.length);
    }
  }
  return out;
}

/**
 * Sentence-aware chunking: greedy packing of whole sentences up to `targetWords` (and `maxChars`), with
 * `overlapSentences` carried into the next chunk. Cuts inside a sentence only when it alone is over
 * maxWords, and inside a word only when the word alone is over maxChars. Returns character spans into
 * `text` (so passages can be traced back to their document) in order; empty text gives none.
 */
export function chunkText(text: string, options: Partial<ChunkOptions> = {}): Span[] {
  const opts = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  const maxChars = maxCharsOf(opts);
  const us = units(text, opts.maxWords, maxChars);
  const chunks: Array<{ from: number; to: number; words: number }> = [];
  let i = 0;
  while (i < us.length) {
    let j = i;
    let words = 0;
    while (
      j < us.length &&
      (j === i || (words + us[j]!.words <= opts.targetWords && us[j]!.end - us[i]!.start <= maxChars))
    )
      words += us[j++]!.words;
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
    if (merged <= opts.maxWords && us[last.to - 1]!.end - us[prev.from]!.start <= maxChars) {
      prev.to = last.to;
      prev.words = merged;
      chunks.pop();
    }
  }
  return chunks.map((c) => ({ start: us[c.from]!.start, end: us[c.to - 1]!.end }));
}
