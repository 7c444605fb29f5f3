import { describe, expect, it } from "vitest";
import { bootstrapDifference, bootstrapMean } from "../metrics/bootstrap.ts";
import { calibrateSetup, weightGrid, type SignalQuery } from "./calibrate.ts";
import { chooseServingSetup, type ScoredSetup } from "./gate.ts";

const setup = (name: ScoredSetup["setup"]["name"], perQuery: number[]): ScoredSetup => ({
  setup: { name, weights: { lexical: 1, sparse: 0, semantic: 0 } },
  perQuery,
});
const many = (x: number, n = 30) => Array.from({ length: n }, () => x);

describe("the quality gate", () => {
  const first = (candidates: ScoredSetup[], bm25: number[], tolerance?: number) =>
    chooseServingSetup({ candidates, bm25, serving: null, minGain: 0, tolerance, queries: bm25.length });

  it("serves the most preferred setup that is safe, even when a less preferred one scores higher on held-out queries", () => {
    // Held-out synthetic queries rank setups differently from real questions: they decide safety, not rank.
    const d = first(
      [setup("lexical", many(0.5)), setup("hybrid-untuned", many(0.8)), setup("hybrid", many(0.7))],
      many(0.5),
    );
    expect(d).toMatchObject({ promote: true, setup: { name: "hybrid" } });
    expect(d.reason).toMatch(/hybrid serves this first index/);
  });

  it("passes over a setup whose held-out score is below BM25's, however slightly, and says why", () => {
    const bm25 = Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.9 : 0.7));
    const d = first(
      [
        setup("lexical", bm25),
        setup(
          "hybrid-untuned",
          bm25.map((x, i) => (i % 2 ? x + 0.05 : x - 0.03)),
        ),
        setup(
          "hybrid",
          bm25.map((x, i) => (i % 2 ? x + 0.05 : x - 0.07)),
        ),
      ],
      bm25,
    );
    expect(d.setup.name).toBe("hybrid-untuned");
    expect(d.reason).toMatch(/hybrid 0\.790 is below BM25 0\.800; .*hybrid-untuned serves this first index/);
    const spread = Array.from({ length: 30 }, (_, i) => (i % 3 ? 0.9 : 0.6));
    const close = spread.map((x, i) => (i % 2 ? x + 0.1 : x - 0.12));
    const tolerant = first([setup("lexical", spread), setup("hybrid", close)], spread, 0.02);
    expect(tolerant.setup.name).toBe("hybrid");
  });

  it("serves BM25 on a first run when no other setup is safe — a first run always serves", () => {
    const d = first(
      [setup("lexical", many(0.95)), setup("semantic", many(0.9)), setup("hybrid", many(0.93))],
      many(0.95),
    );
    expect(d).toMatchObject({ promote: true, setup: { name: "lexical" } });
    expect(d.reason).toMatch(/hybrid 0\.930 is below BM25 0\.950; lexical serves this first index$/);
    const none = first([setup("hybrid", many(0.5))], many(0.95));
    expect(none).toMatchObject({
      promote: true,
      setup: { name: "lexical", weights: { lexical: 1, sparse: 0, semantic: 0 } },
    });
    expect(none.reason).toMatch(/BM25 serves this first index/);
  });

  it("never serves a setup significantly worse than BM25, even within the tolerance", () => {
    const bm25 = Array.from({ length: 200 }, (_, i) => (i % 2 ? 0.9 : 0.7));
    const slightly = bm25.map((x) => x - 0.005);
    const d = first([setup("lexical", bm25), setup("hybrid", slightly)], bm25, 0.01);
    expect(d.setup.name).toBe("lexical");
  });

  it("keeps the serving index when every setup of a later run is significantly worse than it, and promotes one that is merely not better", () => {
    const serving = { name: "serving index (v1)", perQuery: many(0.8) };
    const worse = chooseServingSetup({
      candidates: [setup("lexical", many(0.5)), setup("hybrid", many(0.5))],
      bm25: many(0.5),
      serving,
      minGain: 0,
      queries: 30,
    });
    expect(worse).toMatchObject({ promote: false });
    expect(worse.reason).toMatch(
      /significantly worse than the serving index \(v1\) 0\.800.*the serving index keeps serving/,
    );
    const mixed = Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.85 : 0.73));
    const level = chooseServingSetup({
      candidates: [setup("lexical", many(0.7)), setup("hybrid", mixed)],
      bm25: many(0.7),
      serving,
      minGain: 0,
      queries: 30,
    });
    expect(level).toMatchObject({ promote: true, setup: { name: "hybrid" } });
  });

  it("judges a later run's setups against its own BM25 too, so a corpus served by BM25 does not drift to a worse hybrid", () => {
    const serving = { name: "serving index (v1)", perQuery: many(0.8) };
    const d = chooseServingSetup({
      candidates: [setup("lexical", many(0.8)), setup("hybrid", many(0.78))],
      bm25: many(0.8),
      serving,
      minGain: 0,
      queries: 30,
    });
    expect(d).toMatchObject({ promote: true, setup: { name: "lexical" } });
  });

  it("asks a later run for the configured gain when there is one", () => {
    const d = chooseServingSetup({
      candidates: [setup("lexical", many(0.6)), setup("hybrid", many(0.82))],
      bm25: many(0.6),
      serving: { name: "serving", perQuery: many(0.8) },
      minGain: 0.05,
      queries: 30,
    });
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/gains less than the required 0.05/);
  });
});

describe("calibration", () => {
  const hits = (...docs: Array<[string, number]>) => docs.map(([d, score]) => ({ passageId: d, documentId: d, score }));
  // BM25 and the tuned model agree: the preferred weights rank d1 first.
  const agree: SignalQuery = {
    lists: {
      lexical: hits(["d1", 1], ["d2", 0.5], ["d3", 0]),
      sparse: null,
      semantic: hits(["d1", 1], ["d3", 0.5], ["d2", 0]),
    },
    judgments: new Map([["d1", 1]]),
  };
  // BM25 ranks d1 last, the tuned model first: only a tuned-heavy weighting finds it.
  const disagree: SignalQuery = {
    lists: {
      lexical: hits(["d2", 1], ["d3", 0.5], ["d1", 0]),
      sparse: null,
      semantic: hits(["d1", 1], ["d3", 0.5], ["d2", 0]),
    },
    judgments: new Map([["d1", 1]]),
  };

  it("keeps the preferred weights unless the validation split shows a clear gain", () => {
    const small = calibrateSetup("hybrid", [...Array.from({ length: 99 }, () => agree), disagree], false)!;
    expect(small.setup.weights).toEqual({ lexical: 0.6, sparse: 0, semantic: 0.4 });
    expect(small.validationNdcg).toBeCloseTo(0.995, 3);
    const clear = calibrateSetup("hybrid", [agree, disagree], false)!;
    expect(clear.setup.weights.semantic).toBeGreaterThan(clear.setup.weights.lexical);
    expect(clear.validationNdcg).toBe(1);
    const never = calibrateSetup("hybrid", [agree, disagree], false, { margin: 1 })!;
    expect(never.setup.weights).toEqual({ lexical: 0.6, sparse: 0, semantic: 0.4 });
  });

  it("has no BM25 + TF-IDF setup where the runtime has no TF-IDF signal, and keeps single signals whole", () => {
    expect(calibrateSetup("hybrid-untuned", [agree], false)).toBeNull();
    expect(calibrateSetup("lexical", [disagree], false)!.setup.weights).toEqual({ lexical: 1, sparse: 0, semantic: 0 });
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
