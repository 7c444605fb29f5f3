import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Bm25Index, DEFAULT_BM25, bm25Builder } from "./bm25.ts";
import { bucketIdf, featurize, type FeatureOptions } from "./features.ts";
import { Postings, postingLists } from "./postings.ts";
import { sparsePostingsBuilder } from "./sparse-postings.ts";
import { terms } from "./tokenize.ts";
import { topOfScores, topOfScoresHeap } from "./top-k.ts";

/** Texts over a small vocabulary (so terms repeat and collide), some long words, some empty. */
const vocabulary = ["vacuum", "index", "replication", "checkpoint", "autovacuumwraparound", "the", "tuple", "x1"];
const text = fc.array(fc.constantFrom(...vocabulary), { maxLength: 14 }).map((ws) => ws.join(" "));
const corpus = fc.array(text, { minLength: 1, maxLength: 60 });
const query = fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 4 }).map((ws) => ws.join(" "));

/** BM25 postings built the straightforward way: a list per term, a text at a time. */
function referenceBm25(texts: string[]) {
  const { k1, b } = DEFAULT_BM25;
  const tokenised = texts.map(terms);
  const avg = tokenised.reduce((s, t) => s + t.length, 0) / Math.max(1, texts.length);
  const lists = postingLists<string>();
  tokenised.forEach((ts, pos) => {
    const tf = new Map<string, number>();
    for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
    const norm = k1 * (1 - b + (b * ts.length) / avg);
    for (const [t, f] of tf) lists.add(pos, t, (f * (k1 + 1)) / (f + norm));
  });
  return new Postings(lists.lists, texts.length);
}

describe("postings built into typed arrays", () => {
  it("BM25 built a text at a time ranks and scores exactly as lists per term do", () => {
    fc.assert(
      fc.property(corpus, query, fc.integer({ min: 1, max: 12 }), (texts, q, k) => {
        const index = new Bm25Index(texts);
        const reference = referenceBm25(texts);
        const weighted = [...new Set(terms(q))].map((t) => [t, index.idf(t)] as const);
        expect(index.search(q, k)).toEqual(reference.top(weighted, k));
        expect(index.search(q, 200)).toEqual(reference.score(weighted, 200));
        for (const t of new Set(terms(q))) expect(index.documentFrequency(t)).toBe(reference.count(t));
      }),
      { numRuns: 300 },
    );
  });

  it("a builder counts every text before filling, and refuses texts that differ between the passes", () => {
    const texts = ["vacuum the index", "index index tuple", "checkpoint"];
    const builder = bm25Builder();
    for (const t of texts) builder.count(terms(t));
    for (const t of texts) builder.fill(terms(t));
    const built = new Bm25Index(builder.build());
    expect(built.avgLength).toBe(new Bm25Index(texts).avgLength);
    expect(built.search("index tuple", 3)).toEqual(new Bm25Index(texts).search("index tuple", 3));
    expect(() => builder.count(["late"])).toThrow(/counted before/);

    const other = bm25Builder();
    other.count(terms("vacuum index"));
    expect(() => other.fill(terms("vacuum checkpoint"))).toThrow(/differs/);
    const sparse = sparsePostingsBuilder({ bucketBits: 8, bigrams: false, maxFeatures: 0 });
    sparse.count(terms("vacuum index"));
    sparse.count(terms("tuple"));
    sparse.fill(terms("vacuum index"));
    expect(() => sparse.build()).toThrow(/2 texts counted but 1 filled/);
    expect(() => sparse.fill(terms("checkpoint"))).toThrow(/differs/);
    // Sub-word options would make `featurize` (the queries) and `bucketIdf` disagree with its postings.
    expect(() => sparsePostingsBuilder({ bucketBits: 8, bigrams: false, maxFeatures: 0, subwords: 0.5 })).toThrow(
      /subwords must be 0/,
    );
  });

  it("TF-IDF postings keyed by bucket rank and score exactly as lists of each text's features do", () => {
    const options: FeatureOptions = { bucketBits: 6, bigrams: true, maxFeatures: 0 };
    fc.assert(
      fc.property(corpus, query, fc.integer({ min: 1, max: 12 }), (texts, q, k) => {
        const o = options;
        const idf = bucketIdf(texts, o);
        const lists = postingLists<number>();
        texts.forEach((t, pos) => {
          const v = featurize(t, idf, o);
          v.ids.forEach((id, i) => lists.add(pos, id, v.weights[i]!));
        });
        const reference = new Postings(lists.lists, texts.length);
        const builder = sparsePostingsBuilder(o);
        for (const t of texts) builder.count(terms(t));
        for (const t of texts) builder.fill(terms(t));
        const built = builder.build();
        expect(built.idf).toEqual(idf);
        const v = featurize(q, idf, o);
        const weighted = Array.from(v.ids, (id, i) => [id, v.weights[i]!] as const);
        const keep = (pos: number) => pos % 4 !== 2;
        expect(built.postings.top(weighted, k)).toEqual(reference.top(weighted, k));
        expect(built.postings.top(weighted, k, keep)).toEqual(reference.top(weighted, k, keep));
        expect(built.postings.score(weighted, 100)).toEqual(reference.score(weighted, 100));
        // A bucket no text holds counts nothing, as an unknown key does.
        for (let f = 0; f < 64; f++) expect(built.postings.count(f)).toBe(reference.count(f));
      }),
      { numRuns: 300 },
    );
  });
});

describe("top k by a heap", () => {
  it("gives exactly topOfScores' list, ties to the lower position, over all or listed positions", () => {
    const score = fc.constantFrom(0.5, 1, 1.5, 2, 0.25, 3);
    fc.assert(
      fc.property(
        fc.array(score, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (xs, k, listed) => {
          const scores = Float32Array.from(xs);
          const positions = listed
            ? Int32Array.from(xs.keys())
                .filter((p) => p % 3 !== 0)
                .reverse()
            : null;
          const count = positions ? positions.length : xs.length;
          expect(topOfScoresHeap(scores, positions, count, k)).toEqual(topOfScores(scores, positions, count, k));
        },
      ),
      { numRuns: 500 },
    );
  });
});
