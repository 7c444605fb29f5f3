/** Small learners for the reader: fitted offline on a development set, applied at query time. */

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export const dot = (w: readonly number[], x: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * (x[i] ?? 0);
  return s;
};

export interface FitOptions {
  /** L2 penalty (per example) on every weight except, for the logistic regression, the first (the bias). */
  l2: number;
  /** Most L-BFGS iterations. */
  iterations: number;
}

const DEFAULT_FIT: FitOptions = { l2: 0.001, iterations: 500 };

/** An objective for the minimiser: its value and gradient at `w` (the gradient written into `grad`). */
export type Objective = (w: readonly number[], grad: number[]) => number;

/**
 * Minimise a smooth convex objective with L-BFGS (Nocedal & Wright, algorithm 7.4: two-loop recursion,
 * backtracking line search under the Armijo condition). Starts from `start`; deterministic, so refitting the
 * same data gives the same weights. Stops when the gradient's largest entry falls under `tolerance`.
 */
export function minimizeLbfgs(
  objective: Objective,
  start: readonly number[],
  options: { iterations?: number; memory?: number; tolerance?: number } = {},
): number[] {
  const { iterations = 500, memory = 8, tolerance = 1e-6 } = options;
  const d = start.length;
  let w = [...start];
  let g = new Array<number>(d).fill(0);
  let f = objective(w, g);
  const ss: number[][] = [];
  const ys: number[][] = [];
  for (let it = 0; it < iterations; it++) {
    if (Math.max(...g.map(Math.abs)) < tolerance) break;
    // Two-loop recursion: direction = −H·g from the last `memory` steps.
    const q = [...g];
    const alphas: number[] = [];
    for (let k = ss.length - 1; k >= 0; k--) {
      const rho = 1 / dot(ys[k]!, ss[k]!);
      const a = rho * dot(ss[k]!, q);
      alphas[k] = a;
      for (let i = 0; i < d; i++) q[i]! -= a * ys[k]![i]!;
    }
    const gamma = ss.length
      ? dot(ss[ss.length - 1]!, ys[ys.length - 1]!) / dot(ys[ys.length - 1]!, ys[ys.length - 1]!)
      : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let i = 0; i < d; i++) q[i]! *= gamma;
    for (let k = 0; k < ss.length; k++) {
      const rho = 1 / dot(ys[k]!, ss[k]!);
      const b = rho * dot(ys[k]!, q);
      for (let i = 0; i < d; i++) q[i]! += ss[k]![i]! * (alphas[k]! - b);
    }
    const dir = q.map((x) => -x);
    let slope = dot(dir, g);
    if (slope >= 0) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      ss.length = 0;
      ys.length = 0;
      for (let i = 0; i < d; i++) dir[i] = -g[i]!;
      slope = dot(dir, g);
    }
    let step = 1;
    const gNew = new Array<number>(d).fill(0);
    let wNew = w;
    let fNew = f;
    for (let tries = 0; tries < 40; tries++) {
      wNew = w.map((x, i) => x + step * dir[i]!);
      fNew = objective(wNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew < f) && !(fNew <= f + 1e-12)) break;
    const s = wNew.map((x, i) => x - w[i]!);
    const y = gNew.map((x, i) => x - g[i]!);
    if (dot(s, y) > 1e-12) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
      }
    }
    const improvement = f - fNew;
    w = wNew;
    g = gNew;
    f = fNew;
    if (improvement < 1e-12 * Math.max(1, Math.abs(f))) break;
  }
  return w;
}

/**
 * Logistic regression: P(y = 1 | x) = σ(w·x), fitted by L-BFGS on the mean log loss plus an L2 penalty.
 * Rows include a leading 1 for the bias (not penalised). Optional per-row weights.
 */
export function fitLogistic(
  rows: readonly number[][],
  labels: readonly number[],
  options: Partial<FitOptions> & { weights?: readonly number[] } = {},
): number[] {
  const { l2, iterations } = { ...DEFAULT_FIT, ...options };
  if (!rows.length || rows.length !== labels.length)
    throw new Error(`fitLogistic: ${rows.length} rows and ${labels.length} labels`);
  const d = rows[0]!.length;
  const weights = options.weights ?? rows.map(() => 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const objective: Objective = (w, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r]!;
      const z = dot(w, x);
      const y = labels[r]!;
      // log(1 + e^z) − y·z, computed without overflow.
      loss += weights[r]! * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z);
      const e = weights[r]! * (sigmoid(z) - y);
      for (let i = 0; i < d; i++) grad[i]! += e * x[i]!;
    }
    loss /= total;
    for (let i = 0; i < d; i++) {
      grad[i]! /= total;
      if (i) {
        loss += (l2 / 2) * w[i]! * w[i]!;
        grad[i]! += l2 * w[i]!;
      }
    }
    return loss;
  };
  return minimizeLbfgs(objective, new Array<number>(d).fill(0), { iterations });
}

/**
 * A listwise ranker: for each group (one question's candidates) the softmax of w·x should put its mass
 * on the group's positive candidates; minimises the mean of −log Σ_positive softmax plus an L2 penalty.
 * Groups without a positive teach nothing and are skipped. Returns the weights (a softmax ignores a bias).
 */
export function fitSoftmaxRanker(
  groups: ReadonlyArray<{ rows: number[][]; positive: boolean[] }>,
  options: Partial<FitOptions> = {},
): number[] {
  const { l2, iterations } = { ...DEFAULT_FIT, ...options };
  const useful = groups.filter((g) => g.rows.length && g.positive.some(Boolean));
  if (!useful.length) throw new Error("fitSoftmaxRanker: no group has a positive candidate");
  const d = useful[0]!.rows[0]!.length;
  const objective: Objective = (w, grad) => {
    grad.fill(0);
    let loss = 0;
    for (const g of useful) {
      const scores = g.rows.map((x) => dot(w, x));
      const max = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - max));
      const z = exp.reduce((a, b) => a + b, 0);
      const zPos = exp.reduce((a, e, i) => a + (g.positive[i] ? e : 0), 0);
      loss += Math.log(z) - Math.log(zPos);
      g.rows.forEach((x, c) => {
        const e = exp[c]! / z - (g.positive[c] ? exp[c]! / zPos : 0);
        if (e !== 0) for (let i = 0; i < d; i++) grad[i]! += e * x[i]!;
      });
    }
    loss /= useful.length;
    for (let i = 0; i < d; i++) {
      grad[i]! = grad[i]! / useful.length + l2 * w[i]!;
      loss += (l2 / 2) * w[i]! * w[i]!;
    }
    return loss;
  };
  return minimizeLbfgs(objective, new Array<number>(d).fill(0), { iterations });
}

/** Softmax of scores (stable). */
export function softmax(scores: readonly number[]): number[] {
  if (!scores.length) return [];
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const z = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / z);
}

/** A monotone step function: `values[i]` holds from `thresholds[i]` up to the next threshold. */
export interface IsotonicMap {
  thresholds: number[];
  values: number[];
}

/**
 * Isotonic regression by pool-adjacent-violators: the non-decreasing step function of `scores` closest
 * (in squared error) to the 0/1 `labels`. Each step's value is smoothed toward the overall rate by
 * `prior` pseudo-examples, so a step fitted on few examples does not claim 0 or 1.
 */
export function fitIsotonic(scores: readonly number[], labels: readonly number[], prior = 2): IsotonicMap {
  if (!scores.length || scores.length !== labels.length)
    throw new Error(`fitIsotonic: ${scores.length} scores and ${labels.length} labels`);
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const rate = labels.reduce((a, b) => a + b, 0) / labels.length;
  const blocks: Array<{ lo: number; sum: number; n: number }> = [];
  for (const i of order) {
    blocks.push({ lo: scores[i]!, sum: labels[i]!, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sum / a.n < b.sum / b.n) break;
      a.sum += b.sum;
      a.n += b.n;
      blocks.pop();
    }
  }
  const values = blocks.map((b) => (b.sum + prior * rate) / (b.n + prior));
  // Smoothing can pull a small block below its left neighbour: keep the map non-decreasing.
  for (let i = 1; i < values.length; i++) values[i] = Math.max(values[i]!, values[i - 1]!);
  return { thresholds: blocks.map((b) => b.lo), values };
}

/** The isotonic map's value at `score` (the step whose threshold is the largest at or below it). */
export function applyIsotonic(map: IsotonicMap, score: number): number {
  let lo = 0;
  let hi = map.thresholds.length - 1;
  if (score < map.thresholds[0]!) return map.values[0]!;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map.thresholds[mid]! <= score) lo = mid;
    else hi = mid - 1;
  }
  return map.values[lo]!;
}
