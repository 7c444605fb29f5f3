import { splitSentences, type Passage } from "@genq/core";
import { hashString } from "../text/features.ts";
import { createRng, type Rng } from "../rng.ts";
import type { Bm25Index } from "../text/bm25.ts";
import { STOPWORDS, stem, words } from "../text/tokenize.ts";

export type QueryKind = "heading" | "cloze" | "terms";

export interface SyntheticQuery {
  query: string;
  passageId: string;
  kind: QueryKind;
}

export interface QueryGenOptions {
  queriesPerPassage: number;
  seed: number;
}

export const DEFAULT_QUERYGEN_OPTIONS: QueryGenOptions = { queriesPerPassage: 3, seed: 13 };

/** The passage's own heading (last part of its title path), when it says more than the file name. */
function heading(p: Passage): string | null {
  const parts = p.title
    .split(" › ")
    .map((s) => s.trim())
    .filter(Boolean);
  const last = parts[parts.length - 1];
  if (!last || parts.length < 2) return null;
  const cleaned = last
    .replace(/^[\d.]+\s+/, "")
    .replace(/^(chapter|section|appendix)\s+[\w.]+\s*/i, "")
    .trim();
  return words(cleaned).some((w) => !STOPWORDS.has(w)) ? cleaned : null;
}

/** A sentence of the passage suitable as a question stand-in (inverse cloze task). */
function clozeSentence(p: Passage, rng: Rng, exclude: Set<string>): string | null {
  const options = splitSentences(p.text)
    .map((s) => p.text.slice(s.start, s.end))
    .filter((s) => {
      const n = s.split(/\s+/).length;
      return n >= 5 && n <= 40 && !exclude.has(s) && /[a-z]/i.test(s);
    });
  return options.length ? options[rng.int(options.length)]! : null;
}

/** 3–5 of the passage's most distinctive words (by tf·idf), in the order they appear. */
function salientTerms(p: Passage, bm25: Bm25Index, rng: Rng): string | null {
  const surface = new Map<string, string>();
  const tf = new Map<string, number>();
  const order: string[] = [];
  for (const w of words(`${p.title} ${p.text}`)) {
    if (STOPWORDS.has(w) || w.length < 3 || /^\d+$/.test(w)) continue;
    const s = stem(w);
    if (!surface.has(s)) {
      surface.set(s, w);
      order.push(s);
    }
    tf.set(s, (tf.get(s) ?? 0) + 1);
  }
  const ranked = [...tf].map(([s, n]) => [s, (1 + Math.log(n)) * bm25.idf(s)] as const).sort((a, b) => b[1] - a[1]);
  const pool = ranked.slice(0, 8).map(([s]) => s);
  if (pool.length < 2) return null;
  const take = new Set(rng.shuffle(pool).slice(0, Math.min(pool.length, 3 + rng.int(3))));
  return order
    .filter((s) => take.has(s))
    .map((s) => surface.get(s)!)
    .join(" ");
}

/**
 * Synthetic queries without a pretrained model: the passage's section heading, held-out sentences
 * (inverse cloze) and salient-term queries weighted by corpus statistics. Deterministic: each
 * passage's queries depend only on the seed and the passage, not on the corpus order.
 */
export function generateQueries(
  passages: readonly Passage[],
  bm25: Bm25Index,
  options: Partial<QueryGenOptions> = {},
): SyntheticQuery[] {
  const o = { ...DEFAULT_QUERYGEN_OPTIONS, ...options };
  const out: SyntheticQuery[] = [];
  for (const p of passages) {
    const rng = createRng(hashString(p.id, o.seed));
    const made = new Set<string>();
    const add = (query: string | null, kind: QueryKind) => {
      if (!query || made.has(query) || made.size >= o.queriesPerPassage) return;
      made.add(query);
      out.push({ query, passageId: p.id, kind });
    };
    add(heading(p), "heading");
    add(clozeSentence(p, rng, made), "cloze");
    add(salientTerms(p, bm25, rng), "terms");
    for (let tries = 0; made.size < o.queriesPerPassage && tries < 6; tries++) {
      add(
        tries % 2 === 0 ? clozeSentence(p, rng, made) : salientTerms(p, bm25, rng),
        tries % 2 === 0 ? "cloze" : "terms",
      );
    }
  }
  return out;
}

export { isHeldOut } from "@genq/core";
