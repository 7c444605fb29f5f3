import { featurize, type FeatureOptions, type SparseVector } from "../text/features.ts";
import { runToEnd } from "@genq/core";
import { createRng } from "../rng.ts";

/** Shape and featurisation of a static-embedding model. */
export interface StaticModelConfig extends FeatureOptions {
  dims: number;
  seed: number;
}

/**
 * Chosen on the development collections (BENCHMARKS.md): word pairs off — a query's pairs are mostly
 * absent from the corpus, so their rows stay random and add only noise to its vector; character trigrams
 * of each stem at half a word's weight — a question's words that training never saw (identifiers,
 * inflections the stemmer misses) still land near the words they resemble.
 */
export const DEFAULT_MODEL_CONFIG: StaticModelConfig = {
  bucketBits: 17,
  bigrams: false,
  maxFeatures: 96,
  subwords: 0.5,
  maxSubwordFeatures: 16,
  dims: 128,
  seed: 42,
};

/**
 * A static-embedding model: hashed word (and optionally word-pair and character-trigram) features, TF-IDF weighted, pooled through an
 * embedding table and L2-normalised. With its random initialisation it is a random projection of
 * TF-IDF (cosines approximate TF-IDF cosines); training moves the table so queries land near passages.
 */
export class StaticModel {
  constructor(
    readonly config: StaticModelConfig,
    readonly idf: Float32Array,
    readonly table: Float32Array,
  ) {
    const rows = 1 << config.bucketBits;
    if (idf.length !== rows || table.length !== rows * config.dims)
      throw new Error("model arrays do not match its config");
  }

  /**
   * A fresh model: a uniform random table with variance 1/dims (a Johnson–Lindenstrauss projection),
   * so distinct features are nearly orthogonal and cosines approximate TF-IDF cosines.
   */
  static initialise(config: StaticModelConfig, idf: Float32Array): StaticModel {
    return runToEnd(StaticModel.initialiseSteps(config, idf));
  }

  /** `initialise` step by step: yields every 2^16 table entries, so a caller can run it in time slices. */
  static *initialiseSteps(config: StaticModelConfig, idf: Float32Array): Generator<void, StaticModel> {
    const rng = createRng(config.seed);
    const table = new Float32Array((1 << config.bucketBits) * config.dims);
    const half = Math.sqrt(3 / config.dims);
    for (let i = 0; i < table.length; i++) {
      if ((i & 0xffff) === 0xffff) yield;
      table[i] = (2 * rng.next() - 1) * half;
    }
    return new StaticModel(config, idf, table);
  }

  get dimensions(): number {
    return this.config.dims;
  }

  features(text: string): SparseVector {
    return featurize(text, this.idf, this.config);
  }

  /** Weighted sum of the feature rows (before normalisation) into `out`. */
  pool(features: SparseVector, out: Float32Array = new Float32Array(this.config.dims)): Float32Array {
    const d = this.config.dims;
    out.fill(0);
    for (let k = 0; k < features.ids.length; k++) {
      const w = features.weights[k]!;
      const base = features.ids[k]! * d;
      for (let j = 0; j < d; j++) out[j]! += w * this.table[base + j]!;
    }
    return out;
  }

  /** Unit-length embedding of a text (a zero vector for text without known words). */
  encode(text: string): Float32Array {
    return normalise(this.pool(this.features(text)));
  }
}

/** Normalise in place to unit length; returns the vector. Zero vectors stay zero. */
export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
