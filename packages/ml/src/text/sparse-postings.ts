import { termFeatures, weighFeatures, type FeatureOptions } from "./features.ts";
import { Postings, postingsLayout } from "./postings.ts";

/**
 * TF-IDF postings over hashed feature buckets, keyed by the bucket itself, built in two passes over the
 * texts' terms (`count` every text, then `fill` every text again in the same order) that hold no text
 * and no list per bucket: the first pass counts each bucket's documents — its document frequency and
 * its postings' length — and the second writes each text's weighted features into place. `idf`: the
 * weights to use (a segment scored with its collection's statistics); by default learned in the first
 * pass as `bucketIdf` learns it. Every feature is kept (`maxFeatures` 0); words only (`subwords` 0).
 */
export function sparsePostingsBuilder(
  options: FeatureOptions,
  idf?: Float32Array,
): {
  count(terms: readonly string[]): void;
  fill(terms: readonly string[]): void;
  build(): { postings: Postings<number>; idf: Float32Array };
} {
  if (options.maxFeatures > 0) throw new Error("TF-IDF postings keep every feature: maxFeatures must be 0");
  // Its texts are featurised without their terms' trigrams, which `featurize` and `bucketIdf` would add.
  if ((options.subwords ?? 0) > 0) throw new Error("TF-IDF postings hold words only: subwords must be 0");
  const buckets = 1 << options.bucketBits;
  const df = new Uint32Array(buckets);
  let counted = 0;
  let filled = 0;
  let layout: (ReturnType<typeof postingsLayout> & { idf: Float32Array }) | null = null;
  const lay = () =>
    (layout ??= {
      ...postingsLayout(df),
      idf: idf ?? Float32Array.from(df, (d) => Math.log((counted + 1) / (d + 1)) + 1),
    });
  return {
    count(ts) {
      if (layout) throw new Error("every text is counted before the first is filled");
      for (const f of termFeatures(ts, options).keys()) df[f]!++;
      counted++;
    },
    fill(ts) {
      const { idf: weightsOf, place } = lay();
      if (filled >= counted) throw new Error("more texts filled than counted");
      const v = weighFeatures(termFeatures(ts, options), weightsOf, options);
      for (let i = 0; i < v.ids.length; i++) place(v.ids[i]!, filled, v.weights[i]!);
      filled++;
    },
    build() {
      const { idf: weightsOf, starts, positions, weights } = lay();
      if (filled !== counted) throw new Error(`${counted} texts counted but ${filled} filled`);
      return { postings: new Postings({ keys: null, starts, positions, weights }, counted), idf: weightsOf };
    },
  };
}
