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
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { bucketBits: 18, bigrams: true, maxFeatures: 160 };

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Raw hashed features of a text with their counts (unweighted). */
export function rawFeatures(text: string, options: FeatureOptions): Map<number, number> {
  return termFeatures(terms(text), options);
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
    for (const f of rawFeatures(texts[i]!, options).keys()) df[f]!++;
  }
  const idf = new Float32Array(df.length);
  const n = texts.length;
  for (let i = 0; i < df.length; i++) idf[i] = Math.log((n + 1) / (df[i]! + 1)) + 1;
  return idf;
}

/** TF-IDF weighted, L2-normalised sparse features (sub-linear tf), strongest `maxFeatures` kept. */
export function featurize(text: string, idf: Float32Array, options: FeatureOptions): SparseVector {
  return weighFeatures(rawFeatures(text, options), idf, options);
}

/** `featurize` from a text's raw feature counts (`termFeatures`). */
export function weighFeatures(counts: Map<number, number>, idf: Float32Array, options: FeatureOptions): SparseVector {
  let entries = [...counts].map(([f, c]) => [f, (1 + Math.log(c)) * idf[f]!] as [number, number]);
  if (options.maxFeatures > 0 && entries.length > options.maxFeatures) {
    entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    entries = entries.slice(0, options.maxFeatures);
  }
  entries.sort((a, b) => a[0] - b[0]);
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
