import { Postings, postingLists } from "./postings.ts";
import type { ScoredPosition } from "./top-k.ts";
import { terms } from "./tokenize.ts";

export interface Bm25Options {
  k1: number;
  b: number;
  /** Normalise lengths by this average instead of the texts' own (a segment scored with its collection's statistics). */
  avgLength?: number;
}

/** BM25 as Lucene and Elasticsearch score it. */
export const DEFAULT_BM25: Bm25Options = { k1: 1.2, b: 0.75 };

export type ScoredId = ScoredPosition;

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

  /** `tokenised`: each text's terms as `terms` gives them, when the caller has them already (e.g. made in slices). */
  constructor(
    texts: readonly string[],
    options: Bm25Options = DEFAULT_BM25,
    tokenised: ReadonlyArray<readonly string[]> = texts.map(terms),
  ) {
    const { k1, b } = options;
    const avg = options.avgLength ?? tokenised.reduce((s, t) => s + t.length, 0) / Math.max(1, texts.length);
    this.avgLength = avg;
    const lists = postingLists<string>();
    tokenised.forEach((ts, pos) => {
      const tf = new Map<string, number>();
      for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
      const norm = k1 * (1 - b + (b * ts.length) / avg);
      for (const [t, f] of tf) lists.add(pos, t, (f * (k1 + 1)) / (f + norm));
    });
    this.size = texts.length;
    this.postings = new Postings(lists.lists, texts.length);
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
   * Lucene scores segments); `keep` leaves positions out (deleted or filtered).
   */
  search(
    query: string,
    k: number,
    options: { idf?: (term: string) => number; keep?: (position: number) => boolean } = {},
  ): ScoredId[] {
    const idf = options.idf ?? ((t: string) => this.idf(t));
    return this.postings.top(
      [...new Set(terms(query))].map((t) => [t, idf(t)] as const),
      k,
      options.keep,
    );
  }
}
