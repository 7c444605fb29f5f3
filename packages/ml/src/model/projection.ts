/**
 * Project vectors to 2-D with PCA (top two principal components by power iteration with deflation).
 * Deterministic: starts from a fixed vector.
 */
export function pca2(vectors: readonly Float32Array[]): Array<{ x: number; y: number }> {
  const n = vectors.length;
  if (n === 0) return [];
  const d = vectors[0]!.length;
  const mean = new Float64Array(d);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j]! += v[j]! / n;
  const centred = vectors.map((v) => Float64Array.from(v, (x, j) => x - mean[j]!));
  const components: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let w = Float64Array.from({ length: d }, (_, j) => Math.sin(j + 1 + c));
    for (let iter = 0; iter < 60; iter++) {
      const next = new Float64Array(d);
      for (const x of centred) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[j]! * w[j]!;
        for (let j = 0; j < d; j++) next[j]! += s * x[j]!;
      }
      for (const prev of components) {
        let s = 0;
        for (let j = 0; j < d; j++) s += next[j]! * prev[j]!;
        for (let j = 0; j < d; j++) next[j]! -= s * prev[j]!;
      }
      const norm = Math.hypot(...next) || 1;
      w = next.map((x) => x / norm);
    }
    components.push(w);
  }
  return centred.map((x) => {
    let a = 0,
      b = 0;
    for (let j = 0; j < d; j++) {
      a += x[j]! * components[0]![j]!;
      b += x[j]! * components[1]![j]!;
    }
    return { x: a, y: b };
  });
}
