import { cpSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { evaluateJudgments } from "../../packages/cli/src/eval-command.ts";
import { createLocalDeps, type LocalDeps } from "../../packages/cli/src/local-deps.ts";
import { runPipeline, waitForRun } from "../../packages/cli/src/run-command.ts";
import { createLocalApp } from "../../packages/cli/src/serve.ts";
import { startRun, type StageExecutors } from "@genq/core";
import { ROOT, tempDir } from "./helpers.ts";

/**
 * The life of a corpus on the local runtime, as a user lives it: a first run, the same run again, more
 * documents, a run the gate rejects, a run whose job crashes — and the next run after each. Every run
 * after the first is compared with the index that serves; none of them fails unless something broke,
 * and whatever happens the corpus keeps answering searches.
 */

const env = { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1" };
const SRC = join(ROOT, "examples/postgresql-docs");
const docs = tempDir();
const data = tempDir();
const copy = (pattern: RegExp) => {
  for (const f of readdirSync(SRC).filter((f) => pattern.test(f))) cpSync(join(SRC, f), join(docs, f));
};

let deps: LocalDeps;
const open = (extra: Record<string, string> = {}) => {
  deps?.close();
  deps = createLocalDeps(loadConfig({ ...env, ...extra }, { data }));
  return deps;
};
const run = async (options: { ingest?: boolean } = {}) =>
  (await runPipeline(deps, { docs: options.ingest === false ? undefined : docs, corpus: "pg", quiet: true }, () => {}))
    .run;
const search = async (query: string) => {
  const { app, keys: apiKeys } = createLocalApp(deps);
  const res = await app.request("/v1/corpora/pg/search", {
    method: "POST",
    headers: { authorization: `Bearer ${apiKeys.create("local")}`, "content-type": "application/json" },
    body: JSON.stringify({ query, k: 3 }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { hits: Array<{ documentId: string }> }).hits.map((h) => h.documentId);
};
const serving = async () => (await deps.repo.getCorpus("pg"))!;
/** Start a run of "pg" and drive it until its training job works. */
const runInTraining = async () => {
  const started = await startRun(deps.engine, { corpus: "pg", tenant: (await serving()).tenant });
  for (let i = 0; i < 400 && (await deps.repo.getRun(started.id))!.state !== "training"; i++) {
    await deps.outbox.drain(deps.handle);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(deps.jobs.isRunning({ runId: started.id, stage: "training" })).toBe(true);
  return started;
};
/** A request to the local API with a fresh key of the local tenant. */
const apiCall = (path: string, method: string) => {
  const { app, keys: apiKeys } = createLocalApp(deps);
  return app.request(path, { method, headers: { authorization: `Bearer ${apiKeys.create("local")}` } });
};

beforeAll(() => {
  copy(/^indexes-(types|multicolumn|unique|partial)/);
  open();
});
afterAll(() => deps?.close());

describe("the life of a corpus", () => {
  it("first run: promoted, and the corpus serves it", async () => {
    const first = await run();
    expect(first.state).toBe("ready");
    expect(first.history.map((h) => h.to).slice(-2)).toEqual(["promoting", "ready"]);
    expect(await serving()).toMatchObject({ servingRunId: first.id, activeRunId: null });
    expect(await search("multicolumn index")).toContain("indexes-multicolumn.html");
  }, 120_000);

  it("the same run again, started through the API: judged against the serving index, never failed", async () => {
    const { app, keys: apiKeys } = createLocalApp(deps);
    const res = await app.request("/v1/corpora/pg/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKeys.create("local")}` },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const again = await waitForRun(deps, id, () => {});
    expect(["ready", "rejected"]).toContain(again.state);
    expect(again.reason).toMatch(/serving index/);
    expect(await search("unique index")).toContain("indexes-unique.html");
  }, 120_000);

  it("more documents: the next run indexes them", async () => {
    copy(/^indexes-(expressional|ordering|bitmap-scans)/);
    const grown = await run();
    expect(["ready", "rejected"]).toContain(grown.state);
    const documents = (await deps.repo.listDocuments("pg")).length;
    expect(documents).toBe(7);
    expect((await deps.repo.getIndexVersion(grown.artifacts.indexVersion!))!.passageCount).toBeGreaterThan(0);
  }, 120_000);

  it("a run the gate rejects leaves the serving index as it was, and search answers from it", async () => {
    open({ GENQ_GATE_MIN_GAIN: "1" });
    const before = await serving();
    const rejected = await run();
    expect(rejected.state).toBe("rejected");
    expect(rejected.reason).toMatch(/the serving index keeps serving/);
    expect(await serving()).toMatchObject({
      servingRunId: before.servingRunId,
      servingIndexVersion: before.servingIndexVersion,
      activeRunId: null,
    });
    expect(await deps.index.servingVersion("pg")).toBe(before.servingIndexVersion);
    expect(await search("partial index")).toContain("indexes-partial.html");
    open();
  }, 120_000);

  it("a run whose job crashes fails with the reason; re-ingesting repairs the store, and the next run succeeds", async () => {
    const doc = (await deps.repo.getDocument("pg", "indexes-types.html"))!;
    await deps.blobs.delete(doc.passagesKey!);
    const crashed = await run({ ingest: false });
    expect(crashed.state).toBe("failed");
    expect(crashed.reason).toContain("generating failed:");
    expect(crashed.reason).toContain(doc.passagesKey!);
    expect(await search("partial index")).toContain("indexes-partial.html");
    const next = await run();
    expect(next.state).toBe("ready");
    expect(await deps.blobs.head(doc.passagesKey!)).not.toBeNull();
    expect((await serving()).servingRunId).toBe(next.id);
  }, 180_000);

  it("a run cancelled while it trains ends failed with the reason, and the serving index keeps answering", async () => {
    deps.close();
    // A trainer that never reports back (a long job): the run waits in training until it is cancelled.
    deps = createLocalDeps(loadConfig(env, { data }), {
      seams: { stages: (stages): StageExecutors => ({ ...stages, startTraining: async () => {} }) },
    });
    const before = await serving();
    const started = await startRun(deps.engine, { corpus: "pg", tenant: before.tenant });
    for (let i = 0; i < 200 && (await deps.repo.getRun(started.id))!.state !== "training"; i++) {
      await deps.outbox.drain(deps.handle);
      await Promise.race([deps.jobs.idle(), new Promise((r) => setTimeout(r, 50))]);
    }
    expect((await deps.repo.getRun(started.id))!.state).toBe("training");
    const { app, keys: apiKeys } = createLocalApp(deps);
    const res = await app.request(`/v1/runs/${started.id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKeys.create("local")}` },
    });
    expect(res.status).toBe(202);
    await deps.outbox.drain(deps.handle);
    expect(await deps.repo.getRun(started.id)).toMatchObject({
      state: "failed",
      reason: "training failed: cancelled on request",
    });
    expect(await serving()).toMatchObject({ servingRunId: before.servingRunId, activeRunId: null });
    expect(await search("partial index")).toContain("indexes-partial.html");
    open();
  }, 60_000);

  it("a run cancelled while its training job works keeps no model: the job's late result is dropped", async () => {
    const before = await serving();
    const started = await runInTraining();
    expect((await apiCall(`/v1/runs/${started.id}/cancel`, "POST")).status).toBe(202);
    await deps.outbox.drain(deps.handle);
    await deps.jobs.idle();
    await deps.outbox.drain(deps.handle);
    expect((await deps.repo.getRun(started.id))!.state).toBe("failed");
    expect(await deps.blobs.list(`corpora/pg/runs/${started.id}/model/`)).toEqual([]);
    expect(await serving()).toMatchObject({ servingRunId: before.servingRunId, activeRunId: null });
  }, 60_000);

  it("after these runs the index holds one copy of the corpus, the serving one: older, rejected and failed runs' versions are given back", async () => {
    const versions = deps.db.prepare("SELECT version FROM index_versions WHERE corpus = ?").all("pg") as Array<{
      version: string;
    }>;
    expect(versions.map((v) => v.version)).toEqual([(await serving()).servingIndexVersion]);
    const tables = deps.db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name LIKE 'p\\_%' ESCAPE '\\'")
      .get() as { n: number };
    expect(tables.n).toBe(1);
    expect(await search("partial index")).toContain("indexes-partial.html");
  });

  it("after these runs the bucket holds one model, the serving run's: retired ones are deleted, every run's report stays", async () => {
    const objects = (await deps.blobs.list("corpora/pg/runs/")).map((b) => b.key);
    const servingRun = (await serving()).servingRunId!;
    const models = new Set(objects.filter((k) => k.includes("/model/")).map((k) => k.split("/")[3]));
    expect([...models]).toEqual([servingRun]);
    const reports = objects.filter((k) => k.endsWith("/report.json"));
    expect(reports.length).toBeGreaterThanOrEqual(4);
    expect(await search("partial index")).toContain("indexes-partial.html");
  });

  it("genq eval of a run whose index was given back says so and names the serving run", async () => {
    const dir = tempDir();
    const queries = join(dir, "queries.jsonl");
    const qrels = join(dir, "qrels.tsv");
    writeFileSync(queries, '{"_id": "q1", "text": "partial index"}\n');
    writeFileSync(qrels, "q1\tindexes-partial.html\t1\n");
    const { servingRunId } = await serving();
    const older = (await deps.repo.listRuns("pg")).find((r) => r.state === "ready" && r.id !== servingRunId)!;
    await expect(evaluateJudgments(deps, { corpus: "pg", run: older.id, queries, qrels })).rejects.toThrow(
      `run "${older.id}" no longer has an index: a run's index is given back once another run serves, or when it is rejected or fails; score the serving run (${servingRunId}) instead`,
    );
    expect((await evaluateJudgments(deps, { corpus: "pg", queries, qrels })).runId).toBe(servingRunId);
  });
});

describe("a corpus deleted while a cancelled run's training job still works", () => {
  it("keeps nothing of that run: the job's late model is not written into the deleted corpus's folder", async () => {
    const started = await runInTraining();
    expect((await apiCall(`/v1/runs/${started.id}/cancel`, "POST")).status).toBe(202);
    await deps.outbox.drain(deps.handle);
    expect((await apiCall("/v1/corpora/pg", "DELETE")).status).toBe(200);
    await deps.jobs.idle();
    await deps.outbox.drain(deps.handle);
    expect(await deps.blobs.list("corpora/pg/")).toEqual([]);
  }, 60_000);
});
