import { describe, expect, it } from "vitest";
import type { Passage } from "@genq/core";
import { Bm25Index } from "../text/bm25.ts";
import { generateQueries, isHeldOut } from "./synthetic-queries.ts";

const passage = (id: string, title: string, text: string): Passage => ({
  id,
  corpus: "c",
  documentId: `${id}.md`,
  sourcePath: `${id}.md`,
  title,
  text,
  ordinal: 0,
});
const corpus = [
  passage(
    "p1",
    "Manual › Routine Vacuuming",
    "PostgreSQL databases require periodic maintenance known as vacuuming. The autovacuum daemon automates it for most installations. Dead tuples are removed and their space reused.",
  ),
  passage(
    "p2",
    "Manual › Index Types",
    "PostgreSQL provides several index types: B-tree, Hash, GiST and GIN. Each index type uses a different algorithm. B-tree indexes fit the most common situations.",
  ),
  passage(
    "p3",
    "notes",
    "Backups should be tested regularly by restoring them somewhere else. A backup that cannot be restored is not a backup at all.",
  ),
];
const bm25 = new Bm25Index(corpus.map((p) => `${p.title}\n${p.text}`));

describe("synthetic queries", () => {
  it("makes a heading query, a held-out sentence and salient terms for each passage", () => {
    const qs = generateQueries(corpus, bm25);
    expect(qs.filter((q) => q.passageId === "p1").map((q) => q.kind)).toEqual(["heading", "cloze", "terms"]);
    expect(qs.find((q) => q.passageId === "p1" && q.kind === "heading")!.query).toBe("Routine Vacuuming");
    for (const q of qs.filter((q) => q.kind === "cloze"))
      expect(corpus.find((p) => p.id === q.passageId)!.text).toContain(q.query);
    // a title without a heading path gives no heading query, so other kinds fill the three
    expect(qs.filter((q) => q.passageId === "p3")).toHaveLength(3);
    expect(qs.filter((q) => q.passageId === "p3").some((q) => q.kind === "heading")).toBe(false);
  });

  it("is deterministic per passage, whatever the corpus order", () => {
    const a = generateQueries(corpus, bm25, { seed: 5 });
    const b = generateQueries([...corpus].reverse(), bm25, { seed: 5 });
    const byPassage = (qs: typeof a) =>
      Object.fromEntries(corpus.map((p) => [p.id, qs.filter((q) => q.passageId === p.id).map((q) => q.query)]));
    expect(byPassage(b)).toEqual(byPassage(a));
    expect(generateQueries(corpus, bm25, { seed: 6 })).not.toEqual(a);
  });

  it("holds out a stable share of passages", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `passage-${i}`);
    const held = ids.filter((id) => isHeldOut(id, 0.1, 13));
    expect(held.length / ids.length).toBeGreaterThan(0.08);
    expect(held.length / ids.length).toBeLessThan(0.12);
    expect(ids.filter((id) => isHeldOut(id, 0.1, 13))).toEqual(held);
  });
});
