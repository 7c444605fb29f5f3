/**
 * MultipleNegativesRankingLoss over in-batch negatives (plus optional extra negatives), on pooled,
 * un-normalised embeddings. Query i's positive is candidate i; every other candidate is a negative.
 * loss = mean_i [ logsumexp_j(s_ij) − s_ii ],  s_ij = scale · cos(q_i, c_j).
 * Returns the loss and its gradients with respect to the pooled vectors (the normalisation included).
 */
export function mnrlLossAndGradients(
  queries: readonly Float32Array[],
  candidates: readonly Float32Array[],
  scale: number,
): { loss: number; queryGrads: Float32Array[]; candidateGrads: Float32Array[] } {
  const b = queries.length;
  const n = candidates.length;
  const d = queries[0]?.length ?? 0;
  const unit = (x: Float32Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += x[i]! * x[i]!;
    const norm = Math.sqrt(s) || 1e-12;
    const u = new Float32Array(d);
    for (let i = 0; i < d; i++) u[i] = x[i]! / norm;
    return { u, norm };
  };
  const qs = queries.map(unit);
  const cs = candidates.map(unit);
  const gradQ = qs.map(() => new Float32Array(d));
  const gradC = cs.map(() => new Float32Array(d));
  let loss = 0;
  const row = new Float64Array(n);
  for (let i = 0; i < b; i++) {
    const qu = qs[i]!.u;
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      const cu = cs[j]!.u;
      let s = 0;
      for (let k = 0; k < d; k++) s += qu[k]! * cu[k]!;
      row[j] = scale * s;
      if (row[j]! > max) max = row[j]!;
    }
    let z = 0;
    for (let j = 0; j < n; j++) z += Math.exp(row[j]! - max);
    loss += max + Math.log(z) - row[i]!;
    // dL/ds_ij = (softmax_ij − [i = j]) / b; ds_ij/du = scale · other unit vector.
    for (let j = 0; j < n; j++) {
      const g = ((Math.exp(row[j]! - max) / z - (i === j ? 1 : 0)) * scale) / b;
      // With scale ~20 the softmax is peaked: most off-diagonal terms are negligible, so skip them.
      if (Math.abs(g) < 1e-7) continue;
      const cu = cs[j]!.u;
      const gq = gradQ[i]!;
      const gc = gradC[j]!;
      for (let k = 0; k < d; k++) {
        gq[k]! += g * cu[k]!;
        gc[k]! += g * qu[k]!;
      }
    }
  }
  // Back through u = x/|x|: dL/dx = (g − u (u·g)) / |x|.
  const throughNorm = (grads: Float32Array[], units: Array<{ u: Float32Array; norm: number }>) =>
    grads.map((g, i) => {
      const { u, norm } = units[i]!;
      let ug = 0;
      for (let k = 0; k < d; k++) ug += u[k]! * g[k]!;
      for (let k = 0; k < d; k++) g[k] = (g[k]! - u[k]! * ug) / norm;
      return g;
    });
  return { loss: loss / b, queryGrads: throughNorm(gradQ, qs), candidateGrads: throughNorm(gradC, cs) };
}
