import { describe, expect, it } from "vitest";
import { StaticModel } from "../model/static-model.ts";
import { createRng } from "../rng.ts";
import { mnrlLossAndGradients } from "./mnrl.ts";
import { noDuplicateBatches } from "./batches.ts";

const randomVectors = (n: number, d: number, seed: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => rng.normal()));
};

describe("MNRL loss", () => {
  it("has the analytic gradient (checked by finite differences)", () => {
    const qs = randomVectors(3, 5, 1);
    const cs = randomVectors(4, 5, 2);
    const { queryGrads, candidateGrads } = mnrlLossAndGradients(qs, cs, 5);
    const h = 1e-3;
    const lossAt = () => mnrlLossAndGradients(qs, cs, 5).loss;
    for (const [vectors, grads] of [
      [qs, queryGrads],
      [cs, candidateGrads],
    ] as const) {
      for (let i = 0; i < vectors.length; i++) {
        for (let k = 0; k < 5; k++) {
          const keep = vectors[i]![k]!;
          vectors[i]![k] = keep + h;
          const up = lossAt();
          vectors[i]![k] = keep - h;
          const down = lossAt();
          vectors[i]![k] = keep;
          expect(grads[i]![k]!).toBeCloseTo((up - down) / (2 * h), 3);
        }
      }
    }
  });

  it("is log(n) for orthogonal-equal scores and falls as positives align", () => {
    const e = (i: number) => Float32Array.from({ length: 4 }, (_, k) => (k === i ? 1 : 0));
    const aligned = mnrlLossAndGradients([e(0), e(1)], [e(0), e(1)], 20).loss;
    const random = mnrlLossAndGradients([e(0), e(1)], [e(2), e(3)], 20).loss;
    expect(random).toBeCloseTo(Math.log(2), 6);
    expect(aligned).toBeLessThan(1e-6);
  });

  it("flows through the embedding table: finite differences on table entries of a tiny model", () => {
    const cfg = { bucketBits: 6, bigrams: false, maxFeatures: 0, dims: 4, seed: 3 };
    const model = StaticModel.initialise(cfg, new Float32Array(64).fill(1));
    const qf = [model.features("vacuum reclaims space"), model.features("index types")];
    const pf = [
      model.features("vacuum reclaims storage from dead tuples"),
      model.features("btree hash gist index types"),
    ];
    const loss = () =>
      mnrlLossAndGradients(
        qf.map((f) => model.pool(f)),
        pf.map((f) => model.pool(f)),
        20,
      ).loss;
    const { queryGrads, candidateGrads } = mnrlLossAndGradients(
      qf.map((f) => model.pool(f)),
      pf.map((f) => model.pool(f)),
      20,
    );
    // dL/dE[row][j] = Σ over texts containing row of weight · dL/dx_text[j]
    const row = qf[0]!.ids[0]!;
    const analytic = new Float64Array(4);
    [...qf.map((f, i) => [f, queryGrads[i]!] as const), ...pf.map((f, i) => [f, candidateGrads[i]!] as const)].forEach(
      ([f, g]) => {
        f.ids.forEach((id, k) => {
          if (id === row) for (let j = 0; j < 4; j++) analytic[j]! += f.weights[k]! * g[j]!;
        });
      },
    );
    const h = 1e-3;
    for (let j = 0; j < 4; j++) {
      const keep = model.table[row * 4 + j]!;
      model.table[row * 4 + j] = keep + h;
      const up = loss();
      model.table[row * 4 + j] = keep - h;
      const down = loss();
      model.table[row * 4 + j] = keep;
      expect(analytic[j]!).toBeCloseTo((up - down) / (2 * h), 2);
    }
  });
});

describe("no-duplicate batches", () => {
  it("never puts two pairs of the same passage in one batch, and keeps every pair", () => {
    const rng = createRng(5);
    const pairs = Array.from({ length: 500 }, (_, i) => ({ id: i, passageIndex: i % 40 }));
    const batches = noDuplicateBatches(pairs, 32, rng);
    for (const b of batches) expect(new Set(b.map((p) => p.passageIndex)).size).toBe(b.length);
    expect(
      batches
        .flat()
        .map((p) => p.id)
        .sort((a, b) => a - b),
    ).toEqual(pairs.map((p) => p.id));
    expect(Math.max(...batches.map((b) => b.length))).toBe(32);
  });
});
