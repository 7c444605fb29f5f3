import { describe, expect, it } from "vitest";
import { barChart, curveChart, niceTicks, scatterChart, spreadLabels } from "./charts.ts";

describe("chart layout", () => {
  it("spreads labels at least a gap apart, in their order, inside the bounds when they fit", () => {
    const cases = [
      [100, 100, 100, 100, 100, 100, 100],
      [5, 6, 7, 200, 201],
      [290, 295, 299, 300, 300],
      [50, 10, 30, 20, 40],
    ];
    for (const ys of cases) {
      const out = spreadLabels(ys, 12, 0, 300);
      const order = ys.map((_, i) => i).sort((a, b) => ys[a]! - ys[b]! || a - b);
      for (let k = 1; k < order.length; k++)
        expect(out[order[k]!]! - out[order[k - 1]!]!).toBeGreaterThanOrEqual(12 - 1e-9);
      expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...out)).toBeLessThanOrEqual(300);
    }
    // Labels already apart stay where they are.
    expect(spreadLabels([10, 50, 90], 12, 0, 300)).toEqual([10, 50, 90]);
  });

  it("picks round tick steps that cover the data", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-3.2, 7.9, 4)).toEqual([-5, 0, 5, 10]);
    const t = niceTicks(0.31, 0.34, 4);
    expect(t[0]).toBeLessThanOrEqual(0.31);
    expect(t.at(-1)).toBeGreaterThanOrEqual(0.34);
    expect(niceTicks(2, 2)).toHaveLength(niceTicks(1.5, 2.5).length);
  });

  it("draws every chart with both axes' ticks and titles, and intervals as whiskers", () => {
    const bars = barChart("ndcg@10 by system", "nDCG@10", [
      { label: "bm25", value: 0.4, low: 0.3, high: 0.5 },
      { label: "hybrid", value: 0.6 },
    ]);
    expect(bars).toContain('class="axis x-axis"');
    expect((bars.match(/class="tick"/g) ?? []).length).toBe(6);
    expect((bars.match(/class="ci"/g) ?? []).length).toBe(1);
    expect(bars).toContain("95% CI 0.300–0.500");
    const curves = curveChart("Recall@k", [
      {
        label: "bm25",
        points: Array.from({ length: 100 }, (_, k) => Math.min(1, 0.3 + k / 100)),
        intervals: [{ k: 10, low: 0.3, high: 0.5 }],
      },
    ]);
    expect(curves).toContain('class="axis x-axis"');
    expect(curves).toContain('class="axis y-axis"');
    expect(curves).toContain(">k (cut-off, log scale)</text>");
    expect((curves.match(/class="ci"/g) ?? []).length).toBe(1);
    const scatter = scatterChart("tuned", { x: "principal component 1", y: "principal component 2" }, [
      { x: -1, y: 2 },
      { x: 3, y: -0.5, marked: true },
      { x: 0, y: 0, query: true },
    ]);
    expect(scatter).toContain('class="axis y-axis"');
    expect(scatter).toContain(">principal component 2</text>");
    expect(scatter).toContain('class="query-point"');
  });

  it("escapes labels", () => {
    expect(barChart("<t>", "x", [{ label: "<script>", value: 0.5 }])).not.toContain("<script>");
  });
});
