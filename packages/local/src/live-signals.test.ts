import { describe, expect, it } from "vitest";
import { createLiveSignals } from "./live-signals.ts";
import { createMemorySignals } from "./memory-signals.ts";

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};
const row = (rowid: number, text: string) => ({ rowid, text, vector: unit([Math.cos(rowid), Math.sin(rowid), 1]) });
const words = ["vacuum", "index", "backup", "replication", "checkpoint", "planner", "lock", "tuple"];
const base = Array.from({ length: 400 }, (_, i) =>
  row(i + 1, `${words[i % 8]} ${words[(i * 3) % 8]} passage number ${i}`),
);

describe("live signals", () => {
  it("finds rows written since the main segment at once and never the removed ones, in every signal", () => {
    const live = createLiveSignals(base);
    const unlike = unit([0, 0, -1]);
    live.apply([
      { op: "remove", rowid: 5 },
      { op: "add", row: { ...row(1001, "autovacuum daemon wraparound freeze"), vector: unlike } },
      { op: "remove", rowid: 9 },
    ]);
    expect(live.bm25("autovacuum wraparound", 3)[0]!.index).toBe(1001);
    expect(live.sparse("autovacuum daemon wraparound", 3)[0]!.index).toBe(1001);
    expect(live.dense(unlike, 1)[0]!.index).toBe(1001);
    for (const hits of [
      live.bm25("passage number 4", 500),
      live.sparse("passage number 4", 500),
      live.dense(row(5, "").vector, 500),
    ]) {
      expect(hits.map((h) => h.index)).not.toContain(5);
      expect(hits.map((h) => h.index)).not.toContain(9);
    }
    // A fresh row removed again is gone too; a filter applies to both segments.
    live.apply([{ op: "remove", rowid: 1001 }]);
    expect(live.bm25("autovacuum wraparound", 3)).toEqual([]);
    live.apply([{ op: "add", row: row(1002, "vacuum freeze map") }]);
    expect(
      live
        .bm25("vacuum", 500, (r) => r === 1002 || r === 1)
        .map((h) => h.index)
        .sort(),
    ).toEqual([1, 1002]);
  });

  it("ranks fresh rows as a rebuilt index would: scores computed with the collection's statistics", () => {
    const added = [row(2001, "vacuum vacuum freeze"), row(2002, "checkpoint spread target")];
    const live = createLiveSignals(base);
    live.apply(added.map((r) => ({ op: "add" as const, row: r })));
    const rebuilt = createMemorySignals([...base, ...added]);
    for (const q of ["vacuum freeze", "checkpoint target", "index lock"]) {
      const a = live.bm25(q, 5);
      const b = rebuilt.bm25(q, 5);
      expect(a.map((h) => h.index)).toEqual(b.map((h) => h.index));
      a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i]!.score, 1));
    }
  });

  it("asks for a rebuild once the fresh rows outgrow their share", () => {
    const live = createLiveSignals(base);
    live.apply(Array.from({ length: 1500 }, (_, i) => ({ op: "add" as const, row: row(5000 + i, `fresh ${i}`) })));
    expect(live.rebuildDue).toBe(false);
    live.apply(Array.from({ length: 600 }, (_, i) => ({ op: "add" as const, row: row(7000 + i, `fresh ${i}`) })));
    expect(live.rebuildDue).toBe(true);
  });

  it("ranks rows written to a version that was empty (or had no terms) when its signals were built", () => {
    for (const start of [[], [row(1, "... !!! the of and")]]) {
      const live = createLiveSignals(start);
      live.apply([
        { op: "add", row: row(10, "kernel boot parameters") },
        { op: "add", row: row(11, "grub menu timeout") },
        { op: "add", row: row(12, "kernel kernel modules") },
      ]);
      const hits = live.bm25("kernel", 10);
      expect(hits.map((h) => h.index).sort()).toEqual([10, 12]);
      for (const h of hits) expect(h.score).toBeGreaterThan(0);
      expect(live.bm25("grub", 10).map((h) => h.index)).toEqual([11]);
    }
  });
});
