import type { IndexItem, Passage, SearchIndex, SearchMode } from "@genq/core";
import { describe, expect, it } from "vitest";

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs, (x) => x / n);
};
const passage = (id: string, sourcePath: string, text: string, extra: Partial<Passage> = {}): Passage => ({
  id,
  corpus: "docs",
  documentId: sourcePath,
  sourcePath,
  title: "",
  text,
  ordinal: 0,
  ...extra,
});
const item = (p: Passage, vector: Float32Array, trained?: boolean): IndexItem => ({
  passage: p,
  vector,
  ...(trained === undefined ? {} : { trained }),
});
const MODES: SearchMode[] = ["lexical", "semantic", "hybrid"];

/**
 * The SearchIndex contract for a document's life: replacing and deleting whole documents (a search right
 * after never returns what was removed), what a version holds, untrained counts, source-path prefix and
 * metadata filters, and no longer serving. `make` returns a fresh index (nothing shared with other tests).
 */
export function searchIndexContract(name: string, make: () => Promise<SearchIndex>) {
  describe(`SearchIndex contract (documents): ${name}`, () => {
    async function served() {
      const index = await make();
      await index.createVersion({ corpus: "docs", version: "v1", dimensions: 3, tenant: "acme" });
      await index.upsert("v1", [
        item(
          passage("a1", "guides/vacuum.md", "Vacuum reclaims storage from dead tuples.", {
            revision: "r1",
            metadata: { team: "ops", tags: ["maintenance", "storage"] },
          }),
          unit(1, 0, 0),
        ),
        item(
          passage("a2", "guides/vacuum.md", "Autovacuum runs vacuum in the background.", {
            revision: "r1",
            metadata: { team: "ops", tags: ["maintenance", "storage"] },
          }),
          unit(1, 0.2, 0),
        ),
        item(
          passage("b1", "guides/indexes.md", "Indexes speed up queries on large tables.", {
            revision: "r2",
            metadata: { team: "dev" },
          }),
          unit(0, 1, 0),
        ),
        item(
          passage("c1", "reference/backup.md", "Backups protect data; vacuum is not a backup.", { revision: "r3" }),
          unit(0, 0, 1),
        ),
      ]);
      await index.promote("docs", "v1");
      return index;
    }
    const ids = async (
      index: SearchIndex,
      query: string,
      vector: Float32Array,
      mode: SearchMode,
      filter?: Parameters<SearchIndex["search"]>[0]["filter"],
    ) => (await index.search({ corpus: "docs", query, vector, k: 10, mode, filter })).map((h) => h.passage.id).sort();

    it("replaces a document's passages: a search right after finds the new text and never the old", async () => {
      const index = await served();
      await index.replaceDocuments("v1", {
        sourcePaths: ["guides/vacuum.md"],
        items: [
          item(
            passage("a3", "guides/vacuum.md", "VACUUM FULL rewrites the table to a new file.", { revision: "r4" }),
            unit(1, 0, 0),
            false,
          ),
        ],
      });
      for (const mode of MODES) {
        const found = await ids(index, "vacuum dead tuples autovacuum rewrites", unit(1, 0.1, 0), mode);
        expect(found).toContain("a3");
        expect(found).not.toContain("a1");
        expect(found).not.toContain("a2");
      }
      expect((await index.documents("v1")).sort((x, y) => x.sourcePath.localeCompare(y.sourcePath))).toEqual([
        { sourcePath: "guides/indexes.md", revision: "r2" },
        { sourcePath: "guides/vacuum.md", revision: "r4" },
        { sourcePath: "reference/backup.md", revision: "r3" },
      ]);
      expect(await index.documents("v1", ["guides/vacuum.md", "missing.md"])).toEqual([
        { sourcePath: "guides/vacuum.md", revision: "r4" },
      ]);
      expect(await index.counts("v1")).toEqual({ passages: 3, untrained: 1 });
    });

    it("deletes a document: gone from every mode at once, and deleting it again changes nothing", async () => {
      const index = await served();
      await index.replaceDocuments("v1", { sourcePaths: ["guides/vacuum.md"], items: [] });
      for (const mode of MODES) {
        const found = await ids(index, "vacuum", unit(1, 0, 0), mode);
        expect(found).not.toContain("a1");
        expect(found).not.toContain("a2");
      }
      await index.replaceDocuments("v1", { sourcePaths: ["guides/vacuum.md", "never/was.md"], items: [] });
      expect((await index.documents("v1")).map((d) => d.sourcePath).sort()).toEqual([
        "guides/indexes.md",
        "reference/backup.md",
      ]);
      expect(await index.counts("v1")).toEqual({ passages: 2, untrained: 0 });
    });

    it("filters on a source-path prefix and on metadata values, and returns the metadata", async () => {
      const index = await served();
      for (const mode of MODES) {
        expect(await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, { sourcePathPrefix: "guides/" })).toEqual(
          ["a1", "a2", "b1"],
        );
        expect(
          await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, { sourcePathPrefix: "reference/back" }),
        ).toEqual(["c1"]);
        expect(
          await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, { sourcePathPrefix: "nowhere/" }),
        ).toEqual([]);
        expect(await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, { metadata: { team: "dev" } })).toEqual([
          "b1",
        ]);
        expect(
          await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, { metadata: { team: ["dev", "ops"] } }),
        ).toEqual(["a1", "a2", "b1"]);
        expect(
          await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, {
            metadata: { tags: "storage", team: "ops" },
          }),
        ).toEqual(["a1", "a2"]);
        expect(
          await ids(index, "vacuum indexes backup", unit(1, 1, 1), mode, {
            metadata: { tags: "storage", team: "dev" },
          }),
        ).toEqual([]);
      }
      const hit = (await index.search({ corpus: "docs", query: "autovacuum background", k: 1, mode: "lexical" }))[0]!;
      expect(hit.passage).toMatchObject({ id: "a2", metadata: { team: "ops", tags: ["maintenance", "storage"] } });
    });

    it("a query vector of zeros (no word the model knows) matches nothing semantically; hybrid keeps the lexical matches", async () => {
      const index = await served();
      const zero = new Float32Array(3);
      expect(await ids(index, "the", zero, "semantic")).toEqual([]);
      expect(await ids(index, "vacuum", zero, "semantic", { sourcePathPrefix: "guides/" })).toEqual([]);
      expect(await ids(index, "the", zero, "hybrid")).toEqual([]);
      expect(await ids(index, "autovacuum", zero, "hybrid")).toEqual(await ids(index, "autovacuum", zero, "lexical"));
      expect(await ids(index, "autovacuum", zero, "hybrid")).not.toEqual([]);
    });

    it("stops serving a corpus, after which its versions can be dropped", async () => {
      const index = await served();
      await index.unserve("docs");
      await index.unserve("docs");
      expect(await index.servingVersion("docs")).toBeNull();
      await index.dropVersion("v1");
      await index.dropVersion("v1");
    });
  });
}
