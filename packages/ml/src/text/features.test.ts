import { describe, expect, it } from "vitest";
import { bucketIdf, featurize, sparseDot, type FeatureOptions } from "./features.ts";

const corpus = ["PostgreSQL stores tables", "pg_dumpall writes every database", "the planner estimates rows"];
const words: FeatureOptions = { bucketBits: 16, bigrams: false, maxFeatures: 0 };
const withSubwords: FeatureOptions = { ...words, subwords: 0.5 };

describe("hashed text features", () => {
  it("with sub-word features, a word shares features with the words it resembles; without, with none", () => {
    const cosine = (options: FeatureOptions, a: string, b: string) => {
      const idf = bucketIdf(corpus, options);
      return sparseDot(featurize(a, idf, options), featurize(b, idf, options));
    };
    expect(cosine(words, "postgres", "postgresql")).toBe(0);
    expect(cosine(withSubwords, "postgres", "postgresql")).toBeGreaterThan(0);
    expect(cosine(withSubwords, "pg_dump", "pg_dumpall")).toBeGreaterThan(0.2);
    // Unrelated words stay apart.
    expect(cosine(withSubwords, "postgres", "planner")).toBeLessThan(0.001);
  });

  it("weighs a word's trigrams below the word itself, and leaves texts without sub-words as they were", () => {
    const idf = bucketIdf(corpus, withSubwords);
    const v = featurize("postgresql", idf, withSubwords);
    const sorted = [...v.weights].sort((a, b) => b - a);
    expect(v.weights.length).toBeGreaterThan(5);
    // The word's own feature dominates its trigrams.
    expect(sorted[0]!).toBeGreaterThan(3 * sorted[1]!);
    const plain = featurize("the planner estimates rows", bucketIdf(corpus, words), words);
    expect(plain.ids.length).toBe(4 - 1); // "the" is a stop word
  });

  it("keeps a text's words first: trigrams only fill the room they leave, at most maxSubwordFeatures", () => {
    const capped: FeatureOptions = { ...withSubwords, maxFeatures: 6, maxSubwordFeatures: 4 };
    const idf = bucketIdf(corpus, capped);
    const wordIds = (text: string) => new Set(featurize(text, idf, { ...capped, subwords: 0 }).ids);
    // Two words leave room for four trigrams (the cap), not for all of their sixteen.
    const short = featurize("postgresql planner", idf, capped);
    expect(short.ids.length).toBe(2 + 4);
    for (const id of wordIds("postgresql planner")) expect([...short.ids]).toContain(id);
    // Six words fill every place: no trigram.
    const long = "postgresql planner estimates tables database writes";
    expect(new Set(featurize(long, idf, capped).ids)).toEqual(wordIds(long));
  });
});
