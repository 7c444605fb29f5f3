import { ConcurrentUpdateError, type Corpus, type DocumentRecord, type PipelineRepository, type Run } from "@genq/core";
import { describe, expect, it } from "vitest";

const corpus = (name: string, tenant = "t1"): Corpus => ({ name, tenant, createdAt: "2026-01-01T00:00:00Z", servingRunId: null, servingIndexVersion: null, servingSetup: null, activeRunId: null, version: 0 });
const doc = (path: string, hash = "h1"): DocumentRecord => ({
  corpus: "docs", path, contentHash: hash, status: "chunked", reason: null, size: 10, documentCount: 1, passageCount: 2,
  passagesKey: `corpora/docs/passages/${hash}.jsonl`, updatedAt: "2026-01-01T00:00:00Z", version: 0,
});
const run = (id: string, createdAt = "2026-01-01T00:00:00Z"): Run => ({
  id, corpus: "docs", tenant: "t1", state: "ingesting", reason: null, createdAt, updatedAt: createdAt, artifacts: {}, history: [], outcomePublished: false, version: 0,
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
      await repo.putModelVersion({ id: "m1", corpus: "docs", runId: "early", kind: "tuned", artifactKey: "k/", endpoint: null, createdAt: "t" });
      expect(await repo.getModelVersion("m1")).toMatchObject({ artifactKey: "k/" });
      await repo.putIndexVersion({ id: "i1", corpus: "docs", runId: "early", modelId: "m1", passageCount: 5, createdAt: "t" });
      expect((await repo.listIndexVersions("docs")).map((i) => i.id)).toEqual(["i1"]);
      expect(await repo.getIndexVersion("nope")).toBeNull();
    });
  });
}
