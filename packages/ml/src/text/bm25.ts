import { growableInt32 } from "./growable.ts";
import { Postings, postingsLayout } from "./postings.ts";
import type { ScoredPosition } from "./top-k.ts";
import { ownCopy, terms } from "./tokenize.ts";

export interface Bm25Options {
  k1: number;
  b: number;
  /** Normalise lengths by this average instead of the texts' own (a segment scored with its collection's statistics). */
  avgLength?: number;
}

/** BM25 as Lucene and Elasticsearch score it. */
export const DEFAULT_BM25: Bm25Options = { k1: 1.2, b: 0.75 };

export type ScoredId = ScoredPosition;

/** A corpus's BM25 postings (term frequencies normalised) and the average length they were normalised by. */
export interface Bm25Postings {
  postings: Postings<string>;
  avgLength: number;
}

/**
 * Builds BM25 postings in two passes over the texts' terms (as `terms` gives them): `count` every text,
 * then `fill` every text again in the same order. Only counts are kept between the passes and the
 * postings are written into place, so neither the texts, their term lists nor a list per term need to
 * be held at once.
 */
export function bm25Builder(options: Bm25Options = DEFAULT_BM25): {
  count(terms: readonly string[]): void;
  fill(terms: readonly string[]): void;
  build(): Bm25Postings;
} {
  const termIds = new Map<string, number>();
  const df = growableInt32(1 << 14);
  const lengths = growableInt32();
  let totalLength = 0;
  let filled = 0;
  let layout: (ReturnType<typeof postingsLayout> & { avg: number }) | null = null;
  const distinct = (ts: readonly string[]) => {
    const tf = new Map<string, number>();
    for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
    return tf;
  };
  const lay = () =>
    (layout ??= {
      ...postingsLayout(df.view()),
      avg: options.avgLength ?? totalLength / Math.max(1, lengths.length),
    });
  return {
    count(ts) {
      if (layout) throw new Error("every text is counted before the first is filled");
      for (const t of distinct(ts).keys()) {
        const id = termIds.get(t);
        if (id === undefined) {
          termIds.set(ownCopy(t), termIds.size);
          df.push(1);
        } else df.set(id, df.get(id) + 1);
      }
      lengths.push(ts.length);
      totalLength += ts.length;
    },
    fill(ts) {
      const { avg, place } = lay();
      if (filled >= lengths.length) throw new Error("more texts filled than counted");
      const { k1, b } = options;
      const norm = k1 * (1 - b + (b * lengths.get(filled)) / avg);
      for (const [t, f] of distinct(ts)) {
        const id = termIds.get(t);
        if (id === undefined) throw new Error("a text filled differs from the one counted");
        place(id, filled, (f * (k1 + 1)) / (f + norm));
      }
      filled++;
    },
    build() {
      const { avg, starts, positions, weights } = lay();
      if (filled !== lengths.length) throw new Error(`${lengths.length} texts counted but ${filled} filled`);
      return {
        postings: new Postings({ keys: termIds, starts, positions, weights }, filled),
        avgLength: avg,
      };
    },
  };
}

/**
 * BM25 over stemmed terms (stop words dropped) with Lucene's idf, ln(1 + (N − df + 0.5)/(df + 0.5)),
 * which stays positive for common terms (SQLite FTS5's bm25() uses the Robertson idf that drops to zero
 * for terms in half the documents — measurably weaker, so genq does not use it). One implementation for
 * the served lexical search, the evaluation baseline, hard-negative mining and salient-term weights.
 * Term frequencies are normalised once at build time; a query touches only its terms' postings.
 */
export class Bm25Index {
  private readonly postings: Postings<string>;
  readonly size: number;
  /** The average length (in terms) lengths were normalised by. */
  readonly avgLength: number;

  /** From the texts, or from postings `bm25Builder` built. */
  constructor(texts: readonly string[] | Bm25Postings, options: Bm25Options = DEFAULT_BM25) {
    let built: Bm25Postings;
    if ("postings" in texts) built = texts;
    else {
      const builder = bm25Builder(options);
      const tokenised = texts.map(terms);
      for (const ts of tokenised) builder.count(ts);
      for (const ts of tokenised) builder.fill(ts);
      built = builder.build();
    }
    this.postings = built.postings;
    this.avgLength = built.avgLength;
    this.size = built.postings.size;
  }

  /** Inverse document frequency of a (stemmed) term; 0 for unknown terms. */
  idf(term: string): number {
    const df = this.postings.count(term);
    return df === 0 ? 0 : Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  documentFrequency(term: string): number {
    return this.postings.count(term);
  }

  /**
   * Top-k documents (positions in the constructor's list) for a query, best first; ties by position.
   * `idf` replaces this index's own (several segments scored with their collection's statistics, as
   * Lucene scores segments); `keep` leaves positions out (deleted or filtered); `exhaustive` scores
   * every posting of the query's terms instead of choosing how (the same list; for measuring).
   */
  search(
    query: string,
    k: number,
    options: { idf?: (term: string) => number; keep?: (position: number) => boolean; exhaustive?: boolean } = {},
  ): ScoredId[] {
    const idf = options.idf ?? ((t: string) => this.idf(t));
    const weighted = [...new Set(terms(query))].map((t) => [t, idf(t)] as const);
    return options.exhaustive
      ? this.postings.score(weighted, k, options.keep)
      : this.postings.top(weighted, k, options.keep);
  }
}
