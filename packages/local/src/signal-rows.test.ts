import { describe, expect, it } from "vitest";
import { createLiveSignals } from "./live-signals.ts";
import { createMemorySignals } from "./memory-signals.ts";
import { packRows } from "./signal-rows.ts";

const texts = ["plain ascii", "", "naïve café — ünïcödé", "emoji 🙂 and 𝔘nicode astral", "a\nnew line"];

describe("packed rows", () => {
  it("give back every row's id, text and vector, growing past the room made at first", () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({
      rowid: 1000 - i,
      text: texts[i % texts.length]!.repeat(1 + (i % 40)),
      vector: Float32Array.from([i, -i, i / 2]),
    }));
    const packed = packRows(rows, 2);
    expect(packed.size).toBe(50);
    expect(packed.dims).toBe(3);
    rows.forEach((r, pos) => {
      expect(packed.ids[pos]).toBe(r.rowid);
      expect(packed.text(pos)).toBe(r.text);
      expect(Array.from(packed.vectors.subarray(pos * 3, pos * 3 + 3))).toEqual(Array.from(r.vector));
    });
    expect(packed.vectors).toHaveLength(150);
  });

  it("score a row without a vector as zeros and refuse a vector of another length", () => {
    const packed = packRows([
      { rowid: 1, text: "no vector" },
      { rowid: 2, text: "x", vector: Float32Array.of(1, 0) },
    ]);
    expect(Array.from(packed.vectors)).toEqual([0, 0, 1, 0]);
    expect(() =>
      packRows([
        { rowid: 1, text: "a", vector: Float32Array.of(1, 0) },
        { rowid: 2, text: "b", vector: Float32Array.of(1, 0, 0) },
      ]),
    ).toThrow(/row 2 has a vector of 3 dimensions, not 2/);
  });

  it("build the same signals as the rows they hold", () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      rowid: 3 * i + 7,
      text: `${texts[i % texts.length]} passage ${i % 13} vacuum ${i % 5 ? "index" : "checkpoint"}`,
      vector: Float32Array.from([Math.cos(i), Math.sin(i), 1]).map((x) => x / Math.SQRT2),
    }));
    const fromRows = createMemorySignals(rows);
    const fromPacked = createMemorySignals(packRows(rows));
    for (const q of ["vacuum checkpoint", "passage 7 café", "astral emoji"]) {
      expect(fromPacked.bm25(q, 10)).toEqual(fromRows.bm25(q, 10));
      expect(fromPacked.sparse(q, 10)).toEqual(fromRows.sparse(q, 10));
    }
    expect(fromPacked.dense(rows[17]!.vector, 5)).toEqual(fromRows.dense(rows[17]!.vector, 5));
    // The main segment knows its rows by id: a removed one is left out, a re-added one found fresh.
    const live = createLiveSignals(packRows(rows));
    live.apply([
      { op: "remove", rowid: 7 + 3 * 4 },
      { op: "add", row: { rowid: 7 + 3 * 5, text: "wraparound freeze", vector: rows[5]!.vector } },
    ]);
    expect(live.bm25("passage 4", 200).map((h) => h.index)).not.toContain(19);
    expect(live.bm25("wraparound", 3).map((h) => h.index)).toEqual([22]);
    expect(live.bm25("passage 5", 200).map((h) => h.index)).not.toContain(22);
  });
});
