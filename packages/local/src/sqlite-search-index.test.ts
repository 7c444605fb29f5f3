import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Passage } from "@genq/core";
import { openDatabase } from "./sqlite.ts";
import { createSqliteSearchIndex } from "./sqlite-search-index.ts";

const passage = (id: string, text: string, documentId = `${id}.md`): Passage => ({
  id,
  corpus: "c",
  documentId,
  sourcePath: documentId,
  title: "",
  text,
  ordinal: 0,
});
const vec = (...xs: number[]) => Float32Array.from(xs);

function setup() {
  const path = join(mkdtempSync(join(tmpdir(), "genq-index-")), "genq.db");
  return { path, index: createSqliteSearchIndex(openDatabase(path)) };
}

describe("SQLite search index", () => {
  it("ranks by BM25, by cosine and by the hybrid mix", async () => {
    const { index } = setup();
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 3, tenant: "t" });
    await index.upsert("v1", [
      { passage: passage("a", "Vacuum reclaims storage from dead tuples."), vector: vec(1, 0, 0) },
      { passage: passage("b", "Indexes speed up queries on large tables."), vector: vec(0, 1, 0) },
      { passage: passage("c", "Backups protect data; vacuum is not a backup."), vector: vec(0, 0, 1) },
    ]);
    await index.promote("c", "v1");
    const lexical = await index.search({ corpus: "c", query: "vacuum dead tuples", k: 3, mode: "lexical" });
    expect(lexical.map((h) => h.passage.id)).toEqual(["a", "c"]);
    expect(lexical[0]!.highlights[0]).toContain("<mark>Vacuum</mark>");
    const semantic = await index.search({
      corpus: "c",
      query: "anything",
      vector: vec(0, 0.9, 0.1),
      k: 2,
      mode: "semantic",
    });
    expect(semantic.map((h) => h.passage.id)).toEqual(["b", "c"]);
    const hybrid = await index.search({
      corpus: "c",
      query: "vacuum dead tuples",
      vector: vec(0, 1, 0),
      k: 3,
      mode: "hybrid",
    });
    expect(hybrid[0]!.passage.id).toBe("a");
    expect(hybrid.map((h) => h.passage.id)).toContain("b");
    expect(hybrid[0]!.scores.lexical).toBeGreaterThan(0);
    expect(hybrid.find((h) => h.passage.id === "b")!.scores).toEqual({ semantic: expect.any(Number) });
    const filtered = await index.search({
      corpus: "c",
      query: "vacuum",
      vector: vec(1, 0, 0),
      k: 3,
      mode: "hybrid",
      filter: { documentId: "c.md" },
    });
    expect(filtered.map((h) => h.passage.id)).toEqual(["c"]);
  });

  it("prepares a version's signals in slices before its first search, and searches them exactly as if built at once", async () => {
    const words = ["vacuum", "index", "tuple", "backup", "replica", "planner", "lock", "wal", "cursor", "trigger"];
    const items = Array.from({ length: 3000 }, (_, i) => ({
      passage: passage(
        `p${i}`,
        `${words[i % 10]} ${words[(i * 7) % 10]} passage ${i} about ${words[(i * 3) % 10]} and ${words[(i * 11) % 10]}`,
      ),
      vector: vec(Math.cos(i), Math.sin(i)),
    }));
    const built = async (prepare: boolean) => {
      const index = createSqliteSearchIndex(openDatabase(":memory:"));
      await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
      await index.upsert("v1", items);
      let fired = false;
      setTimeout(() => (fired = true), 0);
      if (prepare) await index.prepare!("v1");
      const firedDuringPrepare = fired;
      await index.promote("c", "v1");
      return { index, firedDuringPrepare };
    };
    const sliced = await built(true);
    // A waiting request (the timer) got its turn while the signals were built.
    expect(sliced.firedDuringPrepare).toBe(true);
    const whole = await built(false);
    for (const mode of ["lexical", "hybrid"] as const) {
      const query = { corpus: "c", query: "vacuum tuple backup", vector: vec(1, 0), k: 10, mode };
      const a = await sliced.index.search(query);
      const b = await whole.index.search(query);
      expect(a.map((h) => [h.passage.id, h.score])).toEqual(b.map((h) => [h.passage.id, h.score]));
    }
  });

  it("a version dropped and built again while it was being prepared searches only its new passages", async () => {
    // A cancelled run's version is dropped while its build still prepares it; a rebuilt version of the
    // same name must not inherit the signals of the dropped one.
    const index = createSqliteSearchIndex(openDatabase(":memory:"));
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert(
      "v1",
      Array.from({ length: 2000 }, (_, i) => ({ passage: passage(`old${i}`, `vacuum old ${i}`), vector: vec(1, 0) })),
    );
    const preparing = index.prepare!("v1");
    await index.dropVersion("v1");
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert("v1", [{ passage: passage("new", "vacuum new"), vector: vec(1, 0) }]);
    await preparing;
    for (const mode of ["lexical", "semantic", "hybrid"] as const) {
      const hits = await index.search({ corpus: "c", version: "v1", query: "vacuum", vector: vec(1, 0), k: 5, mode });
      expect(hits.map((h) => h.passage.id)).toEqual(["new"]);
    }
  });

  it("a version written to while it is prepared (its rows read in parts) searches what it holds afterwards", async () => {
    // Another connection may remove or add rows between the parts `prepare` reads: the change log
    // brings the prepared signals up to date on the first search.
    const index = createSqliteSearchIndex(openDatabase(":memory:"));
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert(
      "v1",
      Array.from({ length: 2000 }, (_, i) => ({
        passage: passage(`p${i}`, `vacuum passage ${i}`, `doc${i}.md`),
        vector: vec(1, 0),
      })),
    );
    const preparing = index.prepare!("v1", 0);
    // The first part is read by now; these land in the log while later parts are still to be read.
    await index.replaceDocuments("v1", { sourcePaths: ["doc1500.md", "doc3.md"], items: [] });
    await index.upsert("v1", [{ passage: passage("late", "vacuum arrived late", "late.md"), vector: vec(0, 1) }]);
    await preparing;
    await index.promote("c", "v1");
    const all = await index.search({ corpus: "c", query: "vacuum", vector: vec(0, 1), k: 2000, mode: "lexical" });
    const ids = new Set(all.map((h) => h.passage.id));
    expect(ids.size).toBe(all.length);
    expect(ids.has("late")).toBe(true);
    expect(ids.has("p1500")).toBe(false);
    expect(ids.has("p3")).toBe(false);
    expect(ids.size).toBe(1999);
    const semantic = await index.search({ corpus: "c", query: "x", vector: vec(0, 1), k: 1, mode: "semantic" });
    expect(semantic[0]!.passage.id).toBe("late");
  });

  it("a query vector with nothing in it (a query of stop words or punctuation) matches nothing, with or without a filter", async () => {
    const { index } = setup();
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 3, tenant: "t" });
    await index.upsert("v1", [
      { passage: passage("a", "Vacuum reclaims storage from dead tuples."), vector: vec(1, 0, 0) },
      { passage: passage("b", "Indexes speed up queries on large tables."), vector: vec(0, 1, 0) },
    ]);
    await index.promote("c", "v1");
    const zero = vec(0, 0, 0);
    for (const filter of [undefined, { sourcePathPrefix: "b" }]) {
      expect(await index.search({ corpus: "c", query: "the", vector: zero, k: 2, mode: "semantic", filter })).toEqual(
        [],
      );
      expect(await index.search({ corpus: "c", query: "the", vector: zero, k: 2, mode: "hybrid", filter })).toEqual([]);
      const hybrid = await index.search({ corpus: "c", query: "vacuum", vector: zero, k: 2, mode: "hybrid", filter });
      expect(hybrid.map((h) => Object.keys(h.scores))).toEqual(filter ? [] : [["lexical", "sparse"]]);
    }
  });

  it("can fuse by reciprocal rank instead of normalised scores", async () => {
    const index = createSqliteSearchIndex(openDatabase(":memory:"), { fusion: "rrf" });
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert("v1", [
      { passage: passage("a", "vacuum vacuum vacuum tuples"), vector: vec(0, 1) },
      { passage: passage("b", "vacuum once"), vector: vec(1, 0) },
    ]);
    await index.promote("c", "v1");
    const hits = await index.search({ corpus: "c", query: "vacuum tuples", vector: vec(1, 0), k: 2, mode: "hybrid" });
    // a leads both lexical signals, b the semantic one: RRF scores are sums of 1/(60 + rank)
    expect(hits.map((h) => h.passage.id)).toEqual(["a", "b"]);
    expect(hits[0]!.score).toBeCloseTo(0.4 / 61 + 0.3 / 61 + 0.3 / 62, 6);
  });

  it("belongs to its corpus's tenant: a tenant filter keeps or drops the whole version", async () => {
    const { index } = setup();
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "acme" });
    await index.upsert("v1", [{ passage: passage("a", "replication slots"), vector: vec(1, 0) }]);
    await index.promote("c", "v1");
    for (const mode of ["lexical", "semantic", "hybrid"] as const) {
      const found = await index.search({
        corpus: "c",
        query: "replication",
        vector: vec(1, 0),
        k: 5,
        mode,
        filter: { tenant: "acme" },
      });
      expect(found.map((h) => h.passage.id)).toEqual(["a"]);
      expect(
        await index.search({
          corpus: "c",
          query: "replication",
          vector: vec(1, 0),
          k: 5,
          mode,
          filter: { tenant: "other" },
        }),
      ).toEqual([]);
    }
  });

  it("keeps answering from the serving version while another builds, and after a crash mid-build", async () => {
    const { path, index } = setup();
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert("v1", [{ passage: passage("old", "the old text about replication"), vector: vec(1, 0) }]);
    await index.promote("c", "v1");
    await index.createVersion({ corpus: "c", version: "v2", dimensions: 2, tenant: "t" });
    await index.upsert("v2", [{ passage: passage("new", "the new text about replication"), vector: vec(1, 0) }]);
    expect(
      (await index.search({ corpus: "c", query: "replication", k: 5, mode: "lexical" })).map((h) => h.passage.id),
    ).toEqual(["old"]);

    // A new process over the same file, v2 never finished: v1 still serves, v2 can be rebuilt.
    const reopened = createSqliteSearchIndex(openDatabase(path));
    expect(await reopened.servingVersion("c")).toBe("v1");
    expect(
      (await reopened.search({ corpus: "c", query: "replication", vector: vec(1, 0), k: 5, mode: "hybrid" })).map(
        (h) => h.passage.id,
      ),
    ).toEqual(["old"]);
    await reopened.createVersion({ corpus: "c", version: "v2", dimensions: 2, tenant: "t" });
    await reopened.upsert("v2", [{ passage: passage("new", "the new text about replication"), vector: vec(1, 0) }]);
    await reopened.promote("c", "v2");
    expect(
      (await reopened.search({ corpus: "c", query: "replication", k: 5, mode: "lexical" })).map((h) => h.passage.id),
    ).toEqual(["new"]);
    await expect(reopened.dropVersion("v2")).rejects.toThrow(/serving/);
    await reopened.dropVersion("v1");
  });

  it("replaces a passage on upsert and refuses vectors of the wrong size", async () => {
    const { index } = setup();
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert("v1", [{ passage: passage("a", "first wording"), vector: vec(1, 0) }]);
    await index.upsert("v1", [{ passage: passage("a", "second wording"), vector: vec(0, 1) }]);
    await index.promote("c", "v1");
    expect(await index.search({ corpus: "c", query: "first", k: 5, mode: "lexical" })).toEqual([]);
    expect(
      (await index.search({ corpus: "c", query: "second", k: 5, mode: "lexical" })).map((h) => h.passage.text),
    ).toEqual(["second wording"]);
    await expect(index.upsert("v1", [{ passage: passage("b", "x"), vector: vec(1, 0, 0) }])).rejects.toThrow(
      /3 dimensions, the index expects 2/,
    );
  });

  it("a document replaced or deleted by another process is found, or gone, at this process's next search", async () => {
    const { path, index } = setup();
    const other = createSqliteSearchIndex(openDatabase(path));
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 2, tenant: "t" });
    await index.upsert("v1", [
      { passage: passage("a", "vacuum reclaims dead tuples", "a.md"), vector: vec(1, 0) },
      { passage: passage("b", "checkpoints flush pages", "b.md"), vector: vec(0, 1) },
    ]);
    await index.promote("c", "v1");
    expect(
      (await other.search({ corpus: "c", query: "vacuum", k: 5, mode: "lexical" })).map((h) => h.passage.id),
    ).toEqual(["a"]);
    await index.replaceDocuments("v1", {
      sourcePaths: ["a.md"],
      items: [{ passage: passage("a2", "autovacuum freezes old tuples", "a.md"), vector: vec(1, 0), trained: false }],
    });
    await index.replaceDocuments("v1", { sourcePaths: ["b.md"], items: [] });
    for (const mode of ["lexical", "semantic", "hybrid"] as const) {
      const ids = (
        await other.search({
          corpus: "c",
          query: "vacuum autovacuum checkpoints tuples",
          vector: vec(1, 1),
          k: 5,
          mode,
        })
      ).map((h) => h.passage.id);
      expect(ids).toEqual(["a2"]);
    }
    expect(await other.counts("v1")).toEqual({ passages: 1, untrained: 1 });
  });
});
