/** Small linear learners for the reader: fitted offline on a development set, applied at query time. */

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export const dot = (w: readonly number[], x: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * (x[i] ?? 0);
  return s;
};

export interface FitOptions {
  /** L2 penalty on every weight except the first (the bias). */
  l2: number;
  iterations: number;
  learningRate: number;
}

const DEFAULT_FIT: FitOptions = { l2: 0.001, iterations: 10000, learningRate: 0.5 };

/**
 * Logistic regression by full-batch gradient descent: P(y = 1 | x) = σ(w·x). Rows include a leading 1
 * for the bias. Deterministic (starts from zero), so refitting the same data gives the same weights.
 */
export function fitLogistic(rows: readonly number[][], labels: readonly number[], options: Partial<FitOptions> = {}): number[] {
  const { l2, iterations, learningRate } = { ...DEFAULT_FIT, ...options };
  if (!rows.length || rows.length !== labels.length) throw new Error(`fitLogistic: ${rows.length} rows and ${labels.length} labels`);
  const d = rows[0]!.length;
  const w = new Array<number>(d).fill(0);
  const grad = new Array<number>(d);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r]!;
      const e = sigmoid(dot(w, x)) - labels[r]!;
      for (let i = 0; i < d; i++) grad[i]! += e * x[i]!;
    }
    for (let i = 0; i < d; i++) w[i]! -= learningRate * (grad[i]! / rows.length + (i ? l2 * w[i]! : 0));
  }
  return w;
}

/**
 * A listwise ranker: for each group (one question's candidates) the softmax of w·x should put its mass
 * on the group's positive candidates; minimises −log Σ_positive softmax. Groups without a positive
 * teach nothing and are skipped. Returns the weights (no bias: a softmax ignores one).
 */
export function fitSoftmaxRanker(groups: ReadonlyArray<{ rows: number[][]; positive: boolean[] }>, options: Partial<FitOptions> = {}): number[] {
  const { l2, iterations, learningRate } = { ...DEFAULT_FIT, ...options };
  const useful = groups.filter((g) => g.rows.length && g.positive.some(Boolean));
  if (!useful.length) throw new Error("fitSoftmaxRanker: no group has a positive candidate");
  const d = useful[0]!.rows[0]!.length;
  const w = new Array<number>(d).fill(0);
  const grad = new Array<number>(d);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    for (const g of useful) {
      const scores = g.rows.map((x) => dot(w, x));
      const max = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - max));
      const z = exp.reduce((a, b) => a + b, 0);
      const zPos = exp.reduce((a, e, i) => a + (g.positive[i] ? e : 0), 0);
      g.rows.forEach((x, c) => {
        const e = exp[c]! / z - (g.positive[c] ? exp[c]! / zPos : 0);
        for (let i = 0; i < d; i++) grad[i]! += e * x[i]!;
      });
    }
    for (let i = 0; i < d; i++) w[i]! -= learningRate * (grad[i]! / useful.length + l2 * w[i]!);
  }
  return w;
}

/** Softmax of scores (stable). */
export function softmax(scores: readonly number[]): number[] {
  if (!scores.length) return [];
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const z = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / z);
}
