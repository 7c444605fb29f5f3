import { describe, expect, it } from "vitest";
import { createMemorySignals } from "./memory-signals.ts";

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe("memory signals", () => {
  const rows = Array.from({ length: 300 }, (_, i) => ({
    rowid: i + 10,
    text: `passage ${i} about topic ${i % 7}`,
    vector: unit([Math.cos(i), Math.sin(i), (i % 5) / 5, 1]),
  }));

  it("finds the same nearest passages with the HNSW graph as with the exact scan", () => {
    const exact = createMemorySignals(rows, { annThreshold: Number.POSITIVE_INFINITY });
    const ann = createMemorySignals(rows, { annThreshold: 1 });
    const q = unit([Math.cos(42), Math.sin(42), 0.4, 1]);
    const e = exact.dense(q, 10);
    const a = ann.dense(q, 10);
    expect(e[0]!.index).toBe(52);
    expect(a.map((h) => h.index)).toEqual(e.map((h) => h.index));
    for (let i = 0; i < 10; i++) expect(a[i]!.score).toBeCloseTo(e[i]!.score, 4);
  });

  it("finds k rows through the graph when most of the nearest are left out", () => {
    const exact = createMemorySignals(rows, { annThreshold: Number.POSITIVE_INFINITY });
    const ann = createMemorySignals(rows, { annThreshold: 1 });
    const q = unit([Math.cos(42), Math.sin(42), 0.4, 1]);
    const keep = (rowid: number) => rowid % 29 === 0;
    const e = exact.dense(q, 10, keep);
    const a = ann.dense(q, 10, keep);
    expect(e).toHaveLength(10);
    expect(a.map((h) => h.index)).toEqual(e.map((h) => h.index));
  });

  it("finds every row a filter keeps through the graph, even rows the graph cannot reach (many equal vectors)", () => {
    // Duplicate passages embed to equal vectors; an HNSW graph over many equal vectors leaves some rows
    // unreachable, so even a search for every row returns fewer than all of them (usearch's JS binding
    // returns only the matches found: BatchMatches.get slices keys to counts[i], unum-cloud/USearch
    // javascript/usearch.ts).
    const same = Array.from({ length: 2000 }, (_, i) => ({
      rowid: i + 1,
      text: `copy ${i % 10}`,
      vector: unit([Math.cos(i % 10), Math.sin(i % 10), 1, (i % 10) / 10]),
    }));
    const ann = createMemorySignals(same, { annThreshold: 1 });
    const exact = createMemorySignals(same, { annThreshold: Number.POSITIVE_INFINITY });
    const q = unit([1, 0, 1, 0]);
    const keep = (rowid: number) => rowid !== 7;
    expect(exact.dense(q, 5000, keep)).toHaveLength(1999);
    expect(new Set(ann.dense(q, 5000, keep).map((h) => h.index)).size).toBe(1999);
    const few = (rowid: number) => rowid % 397 === 0;
    expect(
      ann
        .dense(q, 10, few)
        .map((h) => h.index)
        .sort(),
    ).toEqual(
      exact
        .dense(q, 10, few)
        .map((h) => h.index)
        .sort(),
    );
  });

  it("scores BM25 with Lucene's idf and TF-IDF cosine in [0, 1]", () => {
    const s = createMemorySignals(rows);
    const bm25 = s.bm25("topic 3", 5);
    expect(bm25).toHaveLength(5);
    expect(bm25.every((h) => (h.index - 10) % 7 === 3)).toBe(true);
    const sparse = s.sparse("passage 12 about topic 5", 3);
    expect(sparse[0]!.index).toBe(22);
    expect(sparse[0]!.score).toBeLessThanOrEqual(1.000001);
  });
});
