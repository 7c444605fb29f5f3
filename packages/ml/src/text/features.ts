import { runToEnd } from "@genq/core";
import { terms } from "./tokenize.ts";

/** A sparse weighted feature vector: bucket ids and their weights (L2-normalised). */
export interface SparseVector {
  ids: Int32Array;
  weights: Float32Array;
}

export interface FeatureOptions {
  /** log2 of the number of hash buckets. */
  bucketBits: number;
  /** Add adjacent word pairs as features. */
  bigrams: boolean;
  /** Keep only the strongest features of a text (speed; 0 = all). */
  maxFeatures: number;
  /**
   * Weight of a term's character trigrams (with word boundaries) beside the term itself, shared out among
   * them; 0 or absent: none. Words seen only in questions then share rows with the words they resemble.
   */
  subwords?: number;
  /** At most this many trigram features per text, in the room its `maxFeatures` words leave (0: all the room). */
  maxSubwordFeatures?: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { bucketBits: 18, bigrams: true, maxFeatures: 160 };

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const BOUNDARY = "<".charCodeAt(0);
const END = ">".charCodeAt(0);
const TRIGRAM_SEED = 0x050c5d1f;

/**
 * Call `add` for each of a term's character trigrams, word boundaries marked (`<ab`, `abc`, …, `yz>`), with
 * its share of `weight`. Hashed as FNV-1a of the three characters, without building strings.
 */
function forEachTrigram(term: string, weight: number, mask: number, add: (f: number, share: number) => void): void {
  const n = term.length + 2;
  const share = weight / (n - 2);
  let a = BOUNDARY;
  let b = term.charCodeAt(0);
  for (let k = 2; k < n; k++) {
    const c = k === n - 1 ? END : term.charCodeAt(k - 1);
    let h = Math.imul(TRIGRAM_SEED ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
    h = Math.imul(h ^ c, 0x01000193);
    add((h >>> 0) & mask, share);
    a = b;
    b = c;
  }
}

/** Per bucket count, reused by every text of one bucket size (zeroed again after each text). */
const scratch = new Map<number, Float64Array>();

/**
 * The strongest `limit` trigram features of a text's terms, weighted as words are (a fractional count
 * weighs in proportion): counts are summed in a reusable array rather than a map, as featurising is on
 * the trainer's path.
 */
function strongestSubwords(
  ts: readonly string[],
  options: FeatureOptions,
  idf: Float32Array,
  limit: number,
): Array<[number, number]> {
  const weight = options.subwords ?? 0;
  if (weight <= 0 || limit <= 0) return [];
  const size = 1 << options.bucketBits;
  let acc = scratch.get(size);
  if (!acc) scratch.set(size, (acc = new Float64Array(size)));
  const sums = acc;
  const touched: number[] = [];
  const add = (f: number, share: number) => {
    if (sums[f] === 0) touched.push(f);
    sums[f]! += share;
  };
  for (const term of ts) if (term.length >= 4) forEachTrigram(term, weight, size - 1, add);
  if (limit >= touched.length) {
    // Every trigram is kept: no selection (the caller orders features by id).
    return touched.map((f) => {
      const c = sums[f]!;
      sums[f] = 0;
      return [f, (c >= 1 ? 1 + Math.log(c) : c) * idf[f]!];
    });
  }
  // The strongest `limit` by selection (a text has dozens of trigrams and keeps a few), ties to the lower id.
  const keep = limit;
  const ids = new Int32Array(keep);
  const weights = new Float64Array(keep);
  let kept = 0;
  for (const f of touched) {
    const c = sums[f]!;
    sums[f] = 0;
    const w = (c >= 1 ? 1 + Math.log(c) : c) * idf[f]!;
    if (kept === keep && (w < weights[keep - 1]! || (w === weights[keep - 1]! && f > ids[keep - 1]!))) continue;
    let at = kept < keep ? kept++ : keep - 1;
    while (at > 0 && (weights[at - 1]! < w || (weights[at - 1]! === w && ids[at - 1]! > f))) {
      ids[at] = ids[at - 1]!;
      weights[at] = weights[at - 1]!;
      at--;
    }
    ids[at] = f;
    weights[at] = w;
  }
  const entries: Array<[number, number]> = new Array(kept);
  for (let i = 0; i < kept; i++) entries[i] = [ids[i]!, weights[i]!];
  return entries;
}

const byWeightThenId = (a: [number, number], b: [number, number]) => b[1] - a[1] || a[0] - b[0];
const byId = (a: [number, number], b: [number, number]) => a[0] - b[0];

/** Raw hashed features of a text with their counts (unweighted): words (and pairs), then trigrams. */
export function rawFeatures(
  text: string,
  options: FeatureOptions,
): { words: Map<number, number>; subwords: Map<number, number> } {
  const ts = terms(text);
  return { words: termFeatures(ts, options), subwords: subwordFeatures(ts, options) };
}

/** A text's character-trigram features with their fractional counts (empty when `subwords` is off). */
export function subwordFeatures(ts: readonly string[], options: FeatureOptions): Map<number, number> {
  const counts = new Map<number, number>();
  const weight = options.subwords ?? 0;
  if (weight <= 0) return counts;
  const mask = (1 << options.bucketBits) - 1;
  const add = (f: number, share: number) => counts.set(f, (counts.get(f) ?? 0) + share);
  for (const t of ts) if (t.length >= 4) forEachTrigram(t, weight, mask, add);
  return counts;
}

/** Raw hashed features of a text's terms (as `terms` gives them) with their counts. */
export function termFeatures(ts: readonly string[], options: FeatureOptions): Map<number, number> {
  const mask = (1 << options.bucketBits) - 1;
  const counts = new Map<number, number>();
  const add = (f: number) => counts.set(f, (counts.get(f) ?? 0) + 1);
  for (let i = 0; i < ts.length; i++) {
    add(hashString(ts[i]!) & mask);
    if (options.bigrams && i + 1 < ts.length) add(hashString(`${ts[i]} ${ts[i + 1]}`, 0x01000193) & mask);
  }
  return counts;
}

/**
 * IDF weights per hash bucket, learned from a corpus: idf = ln((N + 1) / (df + 1)) + 1. Buckets never
 * seen get the maximum idf (a rare term).
 */
export function bucketIdf(texts: readonly string[], options: FeatureOptions): Float32Array {
  return runToEnd(bucketIdfSteps(texts, options));
}

/** `bucketIdf` step by step: yields every few dozen texts, so a caller can run it in time slices. */
export function* bucketIdfSteps(texts: readonly string[], options: FeatureOptions): Generator<void, Float32Array> {
  const df = new Uint32Array(1 << options.bucketBits);
  for (let i = 0; i < texts.length; i++) {
    if (i % 8 === 7) yield;
    const { words, subwords } = rawFeatures(texts[i]!, options);
    for (const f of words.keys()) df[f]!++;
    // A bucket counts once per text, whether a word or a trigram (or both) fell into it.
    for (const f of subwords.keys()) if (!words.has(f)) df[f]!++;
  }
  const idf = new Float32Array(df.length);
  const n = texts.length;
  for (let i = 0; i < df.length; i++) idf[i] = Math.log((n + 1) / (df[i]! + 1)) + 1;
  return idf;
}

/** TF-IDF weighted, L2-normalised sparse features (sub-linear tf), strongest `maxFeatures` kept. */
export function featurize(text: string, idf: Float32Array, options: FeatureOptions): SparseVector {
  const ts = terms(text);
  return weighFeatures(termFeatures(ts, options), idf, options, ts);
}

/** The strongest `limit` of a text's features, weighted: sub-linear tf × idf. */
function strongest(counts: Map<number, number>, idf: Float32Array, limit: number): Array<[number, number]> {
  let entries = [...counts].map(([f, c]) => [f, (1 + Math.log(c)) * idf[f]!] as [number, number]);
  if (limit > 0 && entries.length > limit) {
    entries.sort(byWeightThenId);
    entries = entries.slice(0, limit);
  }
  return entries;
}

/**
 * `featurize` from a text's raw feature counts (`termFeatures`): the strongest `maxFeatures` words, then,
 * given the text's terms and `subwords`, trigrams in the room the words leave (at most
 * `maxSubwordFeatures` of them), L2-normalised together. A long text is its words; a short one gains its
 * words' spellings.
 */
export function weighFeatures(
  counts: Map<number, number>,
  idf: Float32Array,
  options: FeatureOptions,
  ts?: readonly string[],
): SparseVector {
  const entries = strongest(counts, idf, options.maxFeatures);
  if (ts && options.subwords) {
    const room = options.maxFeatures > 0 ? options.maxFeatures - entries.length : Number.POSITIVE_INFINITY;
    const limit = Math.min(room, options.maxSubwordFeatures || Number.POSITIVE_INFINITY);
    const grams = strongestSubwords(ts, options, idf, limit);
    for (const gram of grams) {
      // A trigram may hash into a word's bucket: the bucket then carries both weights.
      const word = entries.find((e) => e[0] === gram[0]);
      if (word) word[1] += gram[1];
      else entries.push(gram);
    }
  }
  entries.sort(byId);
  let norm = 0;
  for (const [, w] of entries) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  return { ids: Int32Array.from(entries, (e) => e[0]), weights: Float32Array.from(entries, (e) => e[1] / norm) };
}

/** Dot product of two sparse vectors with sorted ids. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0,
    j = 0,
    s = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i]!,
      y = b.ids[j]!;
    if (x === y) s += a.weights[i++]! * b.weights[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}
