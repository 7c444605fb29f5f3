import { describe, expect, it } from "vitest";
import { queryMetrics } from "../metrics/retrieval.ts";
import { compareReports, renderComparisonHtml } from "./compare.ts";
import { buildQueryDetails } from "./query-details.ts";
import type { QuerySetEvaluation, RunReport } from "./report.ts";

const DOCS = ["a", "b", "c", "d", "e"];

/** A report whose systems rank query i's expected document at `rankOf(system, i)`. */
function report(runId: string, texts: string[], rankOf: (system: string, i: number) => number): RunReport {
  const queries = texts.map((text, i) => ({ id: `q${i}`, text, judgments: new Map([[DOCS[i % 5]!, 1]]) }));
  const systems = ["bm25", "hybrid"];
  const rankings = Object.fromEntries(
    systems.map((s) => [
      s,
      queries.map((q, i) => {
        const expected = DOCS[i % 5]!;
        const others = DOCS.filter((d) => d !== expected);
        others.splice(rankOf(s, i) - 1, 0, expected);
        return others;
      }),
    ]),
  );
  const metrics = Object.fromEntries(
    systems.map((s) => [s, queries.map((q, i) => queryMetrics(rankings[s]![i]!, q.judgments))]),
  );
  const mean = (s: string) => metrics[s]!.reduce((x, m) => x + m["ndcg@10"], 0) / queries.length;
  const set: QuerySetEvaluation = {
    slug: "judged",
    name: "your judged queries",
    source: "user judgments",
    queries: queries.length,
    systems: Object.fromEntries(
      systems.map((s) => [
        s,
        {
          metrics: { "ndcg@10": mean(s), "mrr@10": 0, "recall@10": 1, "recall@100": 1 },
          recallCurve: [1],
          intervals: { "ndcg@10": { mean: mean(s), low: mean(s) - 0.1, high: mean(s) } },
        },
      ]),
    ),
    significance: [],
    wins: [],
    losses: [],
    details: buildQueryDetails(queries, rankings, metrics),
  };
  return {
    runId,
    corpus: "docs",
    createdAt: `2026-01-0${runId.at(-1)}T00:00:00Z`,
    servingMode: "hybrid",
    facts: { passages: runId === "r1" ? 10 : 12 },
    evaluations: [set],
    gate: {
      promote: runId === "r1",
      reason: runId === "r1" ? "first run" : "not better",
      comparedTo: "bm25",
      score: 0,
      baseline: 0,
    },
    projection: null,
    modelCard: null,
  };
}

describe("comparing two runs of a corpus", () => {
  it("matches query sets and queries, measures the paired change per system and lists the queries that changed most", () => {
    const a = report("r1", ["q zero", "q one", "q two", "q three"], () => 1);
    // Run 2: hybrid ranks "q one" 3rd; "q three" was dropped and "q four" is new.
    const b = report("r2", ["q zero", "q one", "q two", "q four"], (s, i) => (s === "hybrid" && i === 1 ? 3 : 1));
    const c = compareReports(a, b);
    expect(c.focus).toBe("hybrid");
    expect(c.facts).toEqual([{ name: "passages", a: 10, b: 12 }]);
    const set = c.sets[0]!;
    expect(set.common).toBe(3);
    expect(set.queries).toEqual([4, 4]);
    expect(set.paired.find((p) => p.system === "bm25")!.difference).toMatchObject({ mean: 0, low: 0, high: 0 });
    const hybrid = set.paired.find((p) => p.system === "hybrid")!.difference;
    expect(hybrid.mean).toBeCloseTo((0.5 - 1) / 3, 10);
    expect(set.changes).toEqual([{ query: "q one", a: 1, b: 0.5 }]);
    const html = renderComparisonHtml(c);
    expect(html).toContain("genq runs compared");
    expect(html).toContain("3 in common");
    expect((html.match(/<svg class="chart bar-chart grouped"/g) ?? []).length).toBe(4);
    expect(html).toMatch(/hybrid: B − A = −0\.167 nDCG@10/);
  });

  it("refuses runs of different corpora", () => {
    const a = report("r1", ["x"], () => 1);
    expect(() => compareReports(a, { ...a, corpus: "other" })).toThrow(/different corpora/);
  });
});
