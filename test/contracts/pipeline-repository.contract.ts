import { ConcurrentUpdateError, type Corpus, type DocumentRecord, type PipelineRepository, type Run } from "@genq/core";
import { describe, expect, it } from "vitest";
import { corpusRecord } from "@genq/core/testing";

const corpus = (name: string, tenant = "t1"): Corpus => corpusRecord(name, tenant);
const doc = (path: string, hash = "h1"): DocumentRecord => ({
  corpus: "docs",
  path,
  contentHash: hash,
  status: "chunked",
  reason: null,
  size: 10,
  documentCount: 1,
  passageCount: 2,
  passagesKey: `corpora/docs/passages/${hash}.jsonl`,
  updatedAt: "2026-01-01T00:00:00Z",
  version: 0,
});
const run = (id: string, createdAt = "2026-01-01T00:00:00Z"): Run => ({
  id,
  corpus: "docs",
  tenant: "t1",
  state: "ingesting",
  reason: null,
  createdAt,
  updatedAt: createdAt,
  artifacts: {},
  history: [],
  outcomePublished: false,
  version: 0,
});

/** The PipelineRepository contract: every adapter must pass it. `make` returns a fresh, empty repository. */
export function pipelineRepositoryContract(name: string, make: () => Promise<PipelineRepository>) {
  describe(`PipelineRepository contract: ${name}`, () => {
    it("creates once, then updates only from the version it read", async () => {
      const repo = await make();
      const created = await repo.putCorpus(corpus("docs"), null);
      expect(created.version).toBe(0);
      await expect(repo.putCorpus(corpus("docs"), null)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      const updated = await repo.putCorpus({ ...created, servingRunId: "r1" }, 0);
      expect(updated.version).toBe(1);
      await expect(repo.putCorpus({ ...created, servingRunId: "r2" }, 0)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await repo.getCorpus("docs")).toMatchObject({ servingRunId: "r1", version: 1 });
    });

    it("lets exactly one of two racing writers win", async () => {
      const repo = await make();
      await repo.putRun(run("r1"), null);
      const results = await Promise.allSettled([
        repo.putRun({ ...run("r1"), state: "generating" }, 0),
        repo.putRun({ ...run("r1"), state: "failed" }, 0),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(ConcurrentUpdateError);
    });

    it("lists corpora by tenant and documents by corpus", async () => {
      const repo = await make();
      await repo.putCorpus(corpus("a", "t1"), null);
      await repo.putCorpus(corpus("b", "t2"), null);
      expect((await repo.listCorpora("t1")).map((c) => c.name)).toEqual(["a"]);
      expect((await repo.listCorpora()).map((c) => c.name).sort()).toEqual(["a", "b"]);
      await repo.putDocument(doc("x/one.md"), null);
      await repo.putDocument(doc("two.md"), null);
      expect((await repo.listDocuments("docs")).map((d) => d.path).sort()).toEqual(["two.md", "x/one.md"]);
      expect(await repo.listDocuments("other")).toEqual([]);
      expect(await repo.getDocument("docs", "missing.md")).toBeNull();
    });

    it("lists a run's latest state the moment it is written (runs are started and advanced on these reads)", async () => {
      const repo = await make();
      const created = await repo.putRun(run("r1"), null);
      expect((await repo.listRuns("docs")).map((r) => [r.id, r.state, r.version])).toEqual([["r1", "ingesting", 0]]);
      await repo.putRun({ ...created, state: "generating" }, 0);
      expect((await repo.listRuns("docs")).map((r) => [r.id, r.state, r.version])).toEqual([["r1", "generating", 1]]);
      expect(await repo.listRuns("other")).toEqual([]);
    });

    it("keeps runs in creation order, and model and index versions", async () => {
      const repo = await make();
      await repo.putRun(run("late", "2026-01-02T00:00:00Z"), null);
      await repo.putRun(run("early", "2026-01-01T00:00:00Z"), null);
      expect((await repo.listRuns("docs")).map((r) => r.id)).toEqual(["early", "late"]);
      await repo.putModelVersion({
        id: "m1",
        corpus: "docs",
        runId: "early",
        kind: "tuned",
        artifactKey: "k/",
        endpoint: null,
        createdAt: "t",
      });
      expect(await repo.getModelVersion("m1")).toMatchObject({ artifactKey: "k/" });
      await repo.putIndexVersion({
        id: "i1",
        corpus: "docs",
        runId: "early",
        modelId: "m1",
        passageCount: 5,
        createdAt: "t",
      });
      expect((await repo.listIndexVersions("docs")).map((i) => i.id)).toEqual(["i1"]);
      expect(await repo.getIndexVersion("nope")).toBeNull();
    });

    it("deletes a document only from the version it read, and a deleted one is gone from every list", async () => {
      const repo = await make();
      const created = await repo.putDocument(doc("a.md"), null);
      await repo.putDocument({ ...created, contentHash: "h2" }, 0);
      await expect(repo.deleteDocument("docs", "a.md", 0)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await repo.deleteDocument("docs", "a.md", 1);
      expect(await repo.getDocument("docs", "a.md")).toBeNull();
      expect(await repo.listDocuments("docs")).toEqual([]);
      await expect(repo.deleteDocument("docs", "a.md", 1)).rejects.toBeInstanceOf(ConcurrentUpdateError);
    });

    it("keeps a corpus's document counts exact through creates, replacements, rejections and deletes", async () => {
      const repo = await make();
      const a = await repo.putDocument(doc("a.md"), null);
      await repo.putDocument({ ...doc("b.jsonl"), documentCount: 3, passageCount: 5 }, null);
      await repo.putDocument({ ...a, status: "rejected", reason: "binary", contentHash: "h9" }, 0);
      await expect(repo.putDocument({ ...a, passageCount: 99 }, 0)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await repo.documentStats("docs")).toEqual({
        files: 2,
        chunkedFiles: 1,
        rejectedFiles: 1,
        documents: 3,
        passages: 7,
      });
      await repo.deleteDocument("docs", "a.md", 1);
      await expect(repo.deleteDocument("docs", "b.jsonl", 7)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await repo.documentStats("docs")).toEqual({
        files: 1,
        chunkedFiles: 1,
        rejectedFiles: 0,
        documents: 3,
        passages: 5,
      });
      expect(await repo.documentStats("other")).toEqual({
        files: 0,
        chunkedFiles: 0,
        rejectedFiles: 0,
        documents: 0,
        passages: 0,
      });
    });

    it("pages through documents in path order and runs newest first, with cursors", async () => {
      const repo = await make();
      for (const p of ["c.md", "a.md", "e/f.md", "b.md", "d.md"]) await repo.putDocument(doc(p), null);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await repo.listDocumentsPage("docs", { limit: 2, cursor });
        seen.push(...page.items.map((d) => d.path));
        cursor = page.next ?? undefined;
        pages++;
      } while (cursor);
      expect(seen).toEqual(["a.md", "b.md", "c.md", "d.md", "e/f.md"]);
      expect(pages).toBe(3);
      expect(await repo.listDocumentsPage("other", { limit: 2 })).toEqual({ items: [], next: null });
      await repo.putDocument({ ...doc("r1.bin"), status: "rejected", reason: "binary" }, null);
      await repo.putDocument({ ...doc("r2.bin"), status: "rejected", reason: "empty" }, null);
      const rejected = await repo.listDocumentsPage("docs", { limit: 1, status: "rejected" });
      expect(rejected.items.map((d) => [d.path, d.reason])).toEqual([["r1.bin", "binary"]]);
      expect(
        (await repo.listDocumentsPage("docs", { limit: 1, status: "rejected", cursor: rejected.next! })).items.map(
          (d) => d.path,
        ),
      ).toEqual(["r2.bin"]);
      for (const [id, at] of [
        ["r1", "2026-01-01T00:00:00Z"],
        ["r3", "2026-01-03T00:00:00Z"],
        ["r2", "2026-01-02T00:00:00Z"],
      ] as const)
        await repo.putRun(run(id, at), null);
      const first = await repo.listRunsPage("docs", { limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual(["r3", "r2"]);
      const second = await repo.listRunsPage("docs", { limit: 2, cursor: first.next! });
      expect(second).toMatchObject({ items: [expect.objectContaining({ id: "r1" })], next: null });
      await expect(repo.listDocumentsPage("docs", { limit: 2, cursor: "not-a-cursor" })).rejects.toThrow(/cursor/);
    });

    it("deletes everything of a corpus and nothing of another", async () => {
      const repo = await make();
      await repo.putCorpus(corpus("docs"), null);
      await repo.putCorpus(corpus("kept"), null);
      await repo.putDocument(doc("a.md"), null);
      await repo.putDocument({ ...doc("k.md"), corpus: "kept" }, null);
      await repo.putRun(run("r1"), null);
      await repo.putModelVersion({
        id: "r1-model",
        corpus: "docs",
        runId: "r1",
        kind: "tuned",
        artifactKey: "k/",
        endpoint: null,
        createdAt: "t",
      });
      await repo.putIndexVersion({
        id: "r1-index",
        corpus: "docs",
        runId: "r1",
        modelId: "r1-model",
        passageCount: 2,
        createdAt: "t",
      });
      await repo.deleteCorpus("docs");
      await repo.deleteCorpus("docs");
      expect(await repo.getCorpus("docs")).toBeNull();
      expect(await repo.listDocuments("docs")).toEqual([]);
      expect(await repo.getRun("r1")).toBeNull();
      expect(await repo.listRuns("docs")).toEqual([]);
      expect(await repo.getModelVersion("r1-model")).toBeNull();
      expect(await repo.getIndexVersion("r1-index")).toBeNull();
      expect(await repo.getCorpus("kept")).not.toBeNull();
      expect((await repo.listDocuments("kept")).map((d) => d.path)).toEqual(["k.md"]);
    });
  });
}
