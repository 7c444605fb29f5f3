import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { parseJudgments } from "./judgments.ts";
import { hitRateAt, meanMetrics, mrrAt, ndcgAt, queryMetrics, rankDocuments, recallAt } from "./retrieval.ts";
import { pairedRandomisationTest } from "./significance.ts";

const j = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("retrieval metrics", () => {
  it("nDCG@k matches a hand computation with two relevant documents", () => {
    // relevant at ranks 2 and 4: DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; IDCG = 1 + 0.63093
    expect(ndcgAt(["x", "a", "y", "b"], j({ a: 1, b: 1 }), 10)).toBeCloseTo((0.63093 + 0.43068) / 1.63093, 4);
    expect(ndcgAt(["a", "b"], j({ a: 1, b: 1 }), 10)).toBe(1);
    expect(ndcgAt(["x", "y"], j({ a: 1 }), 10)).toBe(0);
    // graded: rel 2 at rank 2, rel 1 at rank 1 → DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3)
    expect(ndcgAt(["b", "a"], j({ a: 2, b: 1 }), 10)).toBeCloseTo((1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)), 6);
  });

  it("cuts at k", () => {
    const ranking = ["x1", "x2", "x3", "a"];
    expect(ndcgAt(ranking, j({ a: 1 }), 3)).toBe(0);
    expect(mrrAt(ranking, j({ a: 1 }), 3)).toBe(0);
    expect(mrrAt(ranking, j({ a: 1 }), 4)).toBe(0.25);
    expect(recallAt(ranking, j({ a: 1, b: 1 }), 4)).toBe(0.5);
    expect(hitRateAt(ranking, j({ a: 1 }), 4)).toBe(1);
  });

  it("ranks documents by their best passage, breaking ties by document id", () => {
    const ranking = rankDocuments([
      { documentId: "b", score: 0.5 },
      { documentId: "a", score: 0.5 },
      { documentId: "c", score: 0.9 },
      { documentId: "b", score: 0.95 },
      { documentId: "a", score: 0.1 },
    ]);
    expect(ranking).toEqual(["b", "c", "a"]);
    // a tie between a and z: a first, so a relevant z counts at rank 2
    expect(
      mrrAt(
        rankDocuments([
          { documentId: "z", score: 1 },
          { documentId: "a", score: 1 },
        ]),
        j({ z: 1 }),
        10,
      ),
    ).toBe(0.5);
  });

  it("averages per-query metrics", () => {
    const m = meanMetrics([queryMetrics(["a"], j({ a: 1 })), queryMetrics(["x"], j({ a: 1 }))]);
    expect(m).toEqual({ "ndcg@10": 0.5, "mrr@10": 0.5, "recall@10": 0.5, "recall@100": 0.5 });
  });
});

describe("paired randomisation test", () => {
  it("finds a consistent improvement significant and no difference not", () => {
    const base = Array.from({ length: 50 }, (_, i) => (i % 5) / 10);
    expect(
      pairedRandomisationTest(
        base.map((x) => x + 0.2),
        base,
      ).pValue,
    ).toBeLessThan(0.001);
    expect(pairedRandomisationTest(base, base).pValue).toBe(1);
    const noisy = base.map((x, i) => x + (i % 2 ? 0.05 : -0.05));
    expect(pairedRandomisationTest(noisy, base).pValue).toBeGreaterThan(0.5);
  });
});

describe("judgments", () => {
  const queries = ['{"_id": "q1", "text": "how do I hold a package"}', '{"_id": "q2", "text": "what is debian"}'].join(
    "\n",
  );
  it("reads BEIR queries and qrels, with or without a header", () => {
    const judged = parseJudgments(
      queries,
      "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq2\td3\t0\n",
      new Set(["d1", "d2", "d3"]),
    );
    expect(judged.map((q) => [q.id, q.text, [...q.judgments]])).toEqual([
      ["q1", "how do I hold a package", [["d1", 1]]],
      [
        "q2",
        "what is debian",
        [
          ["d2", 1],
          ["d3", 0],
        ],
      ],
    ]);
  });
  it("refuses unknown queries and documents, listing the offending lines", () => {
    const attempt = () => parseJudgments(queries, "q1\td1\t1\nq9\td1\t1\nq2\tnope\t1\n", new Set(["d1"]));
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/qrels.tsv line 2: unknown query "q9"[\s\S]*qrels.tsv line 3: unknown document "nope"/);
  });
});
