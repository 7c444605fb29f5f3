import { describe, expect, it } from "vitest";
import { bootstrapDifference, bootstrapMean } from "../metrics/bootstrap.ts";
import { weightGrid } from "./calibrate.ts";
import { chooseServingSetup, type ScoredSetup } from "./gate.ts";

const setup = (name: ScoredSetup["setup"]["name"], perQuery: number[]): ScoredSetup => ({ setup: { name, weights: { lexical: 1, sparse: 0, semantic: 0 } }, perQuery });
const many = (x: number, n = 30) => Array.from({ length: n }, () => x);

describe("the quality gate", () => {
  it("serves the best setup of a first run", () => {
    const d = chooseServingSetup({ candidates: [setup("lexical", many(0.5)), setup("hybrid", many(0.7))], baseline: { name: "bm25", perQuery: many(0.5) }, firstRun: true, minGain: 0, queries: 30 });
    expect(d).toMatchObject({ promote: true, setup: { name: "hybrid" } });
    expect(d.reason).toMatch(/hybrid serves this first index/);
  });

  it("falls back to BM25 on a first run whose best setup is significantly worse than BM25 — a first run always serves", () => {
    const d = chooseServingSetup({ candidates: [setup("lexical", many(0.6)), setup("semantic", many(0.9))], baseline: { name: "bm25", perQuery: many(0.95) }, firstRun: true, minGain: 0, queries: 30 });
    expect(d).toMatchObject({ promote: true, setup: { name: "lexical" } });
    expect(d.reason).toMatch(/significantly worse, so BM25 serves this first index/);
  });

  it("keeps the serving index when a later run is significantly worse, and promotes one that is merely not better", () => {
    const worse = chooseServingSetup({ candidates: [setup("hybrid", many(0.5))], baseline: { name: "serving index (v1)", perQuery: many(0.8) }, firstRun: false, minGain: 0, queries: 30 });
    expect(worse).toMatchObject({ promote: false });
    expect(worse.reason).toMatch(/significantly worse; the serving index keeps serving/);
    const mixed = Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.85 : 0.73));
    const level = chooseServingSetup({ candidates: [setup("hybrid", mixed)], baseline: { name: "serving index (v1)", perQuery: many(0.8) }, firstRun: false, minGain: 0, queries: 30 });
    expect(level.promote).toBe(true);
  });

  it("asks a later run for the configured gain when there is one", () => {
    const d = chooseServingSetup({ candidates: [setup("hybrid", many(0.82))], baseline: { name: "serving", perQuery: many(0.8) }, firstRun: false, minGain: 0.05, queries: 30 });
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/gains less than the required 0.05/);
  });

  it("prefers the simpler of equally good setups", () => {
    const d = chooseServingSetup({ candidates: [setup("hybrid", many(0.7)), setup("hybrid-untuned", many(0.7)), setup("semantic", many(0.7))], baseline: { name: "bm25", perQuery: many(0.6) }, firstRun: true, minGain: 0, queries: 30 });
    expect(d.setup.name).toBe("hybrid-untuned");
  });
});

describe("calibration grid and intervals", () => {
  it("enumerates every weighting in tenths where each signal takes part", () => {
    const grid = weightGrid(["lexical", "sparse", "semantic"]);
    expect(grid).toHaveLength(36);
    for (const w of grid) {
      expect(w.lexical + w.sparse + w.semantic).toBeCloseTo(1, 9);
      expect(Math.min(w.lexical, w.sparse, w.semantic)).toBeGreaterThanOrEqual(0.1 - 1e-9);
    }
    expect(weightGrid(["lexical", "semantic"])).toHaveLength(9);
  });

  it("gives bootstrap intervals that contain the mean and shrink with more queries", () => {
    const small = bootstrapMean([0, 1, 0, 1, 1, 0, 1, 0]);
    const large = bootstrapMean(Array.from({ length: 800 }, (_, i) => i % 2));
    expect(small.low).toBeLessThan(0.5);
    expect(small.high).toBeGreaterThan(0.5);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    const diff = bootstrapDifference([1, 1, 1, 1], [0, 0, 0, 0]);
    expect(diff).toEqual({ mean: 1, low: 1, high: 1 });
  });
});
