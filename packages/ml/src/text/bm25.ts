import { terms } from "./tokenize.ts";
import { topK } from "./top-k.ts";

export interface Bm25Options {
  k1: number;
  b: number;
}

export interface ScoredId {
  index: number;
  score: number;
}

/**
 * In-memory BM25 over stemmed terms (Okapi BM25 with Lucene's idf = ln(1 + (N - df + 0.5)/(df + 0.5))).
 * Used to mine hard negatives, to weigh salient terms and as the evaluation baseline; the served
 * lexical search is SQLite FTS5 with the same k1 and b.
 */
export class Bm25Index {
  private readonly postings = new Map<string, { docs: number[]; tfs: number[] }>();
  private readonly lengths: Float64Array;
  private readonly avgLength: number;
  readonly size: number;

  constructor(texts: readonly string[], private readonly options: Bm25Options = { k1: 1.2, b: 0.75 }) {
    this.size = texts.length;
    this.lengths = new Float64Array(texts.length);
    let total = 0;
    texts.forEach((text, doc) => {
      const ts = terms(text);
      this.lengths[doc] = ts.length;
      total += ts.length;
      const tf = new Map<string, number>();
      for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = { docs: [], tfs: [] }));
        p.docs.push(doc);
        p.tfs.push(n);
      }
    });
    this.avgLength = total / Math.max(1, texts.length);
  }

  /** Inverse document frequency of a (stemmed) term; 0 for unknown terms. */
  idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    return df === 0 ? 0 : Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  documentFrequency(term: string): number {
    return this.postings.get(term)?.docs.length ?? 0;
  }

  /** Top-k documents for a query, best first; ties broken by index. */
  search(query: string, k: number): ScoredId[] {
    const { k1, b } = this.options;
    const scores = new Map<number, number>();
    for (const t of new Set(terms(query))) {
      const p = this.postings.get(t);
      if (!p) continue;
      const idf = this.idf(t);
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i]!;
        const tf = p.tfs[i]!;
        const norm = tf + k1 * (1 - b + (b * this.lengths[d]!) / this.avgLength);
        scores.set(d, (scores.get(d) ?? 0) + (idf * tf * (k1 + 1)) / norm);
      }
    }
    return topK(scores, k);
  }
}
