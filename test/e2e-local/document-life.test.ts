import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { drainAll } from "../../packages/cli/src/ingest-folder.ts";
import { createLocalDeps, type LocalDeps } from "../../packages/cli/src/local-deps.ts";
import { runPipeline, waitForRun } from "../../packages/cli/src/run-command.ts";
import { createLocalApp } from "../../packages/cli/src/serve.ts";
import { ROOT, genq, tempDir } from "./helpers.ts";

/**
 * The life of a document on the local runtime, through the HTTP API and the CLI as a user drives them:
 * a served corpus takes a new document with metadata and finds it without a run, filters on metadata
 * and folders, deletes documents (gone at once, 404 the second time), syncs a changed folder, retrains
 * by itself under a policy, revokes API keys and finally deletes the whole corpus.
 */
const env = { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1" };
const data = tempDir();
const docs = tempDir();
const SRC = join(ROOT, "examples/postgresql-docs");
let deps: LocalDeps;
let key: string;
let app: ReturnType<typeof createLocalApp>["app"];

const open = (extra: Record<string, string> = {}) => {
  deps?.close();
  deps = createLocalDeps(loadConfig({ ...env, ...extra }, { data }));
  const local = createLocalApp(deps);
  app = local.app;
  key = local.keys.create("local");
};
const call = async (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
  app.request(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${init.key ?? key}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
type Hit = { sourcePath: string; metadata?: Record<string, unknown> };
const search = async (query: string, filter?: object) =>
  (
    (await (
      await call("/v1/corpora/pg/search", { body: { query, k: 10, mode: "lexical", ...(filter ? { filter } : {}) } })
    ).json()) as { hits: Hit[] }
  ).hits;

beforeAll(async () => {
  for (const f of readdirSync(SRC).filter((f) => /^indexes-(types|unique|partial)/.test(f)))
    cpSync(join(SRC, f), join(docs, f));
  open();
  const first = await runPipeline(deps, { docs, corpus: "pg", quiet: true }, () => {});
  expect(first.run.state).toBe("ready");
}, 120_000);
afterAll(() => deps?.close());

describe("the life of a document", () => {
  it("a document uploaded to a served corpus is found by a search without a run, and filters reach its metadata", async () => {
    const runsBefore = (await deps.repo.listRuns("pg")).length;
    const upload = await call("/v1/corpora/pg/documents", {
      body: {
        path: "notes/brin.md",
        content: "---\ntags: [storage]\n---\n# BRIN\n\nBRIN indexes summarise block ranges and stay tiny.",
        metadata: { team: "ops" },
      },
    });
    expect(upload.status).toBe(202);
    await drainAll(deps);
    const hits = await search("brin block ranges");
    expect(hits[0]).toMatchObject({ sourcePath: "notes/brin.md", metadata: { team: "ops", tags: ["storage"] } });
    expect((await deps.repo.listRuns("pg")).length).toBe(runsBefore);
    expect((await search("block ranges index", { metadata: { team: "ops" } })).map((h) => h.sourcePath)).toEqual([
      "notes/brin.md",
    ]);
    expect(await search("block ranges index", { metadata: { team: "dev" } })).toEqual([]);
    expect((await search("index", { sourcePathPrefix: "notes/" })).map((h) => h.sourcePath)).toEqual(["notes/brin.md"]);
    const corpus = (await (await call("/v1/corpora/pg")).json()) as {
      untrainedPassages: number;
      servedPassages: number;
      files: number;
    };
    expect(corpus.untrainedPassages).toBeGreaterThan(0);
    expect(corpus.files).toBe(4);
    const bad = await call("/v1/corpora/pg/documents", {
      body: { path: "x.md", content: "x", metadata: { Team: "ops" } },
    });
    expect(bad.status).toBe(400);
  });

  it("lists documents and runs a page at a time, and deletes a document: gone from search at once, 404 the second time", async () => {
    const first = (await (await call("/v1/corpora/pg/documents?limit=2")).json()) as {
      documents: Array<{ path: string; state: string; passages: number }>;
      next: string;
    };
    expect(first.documents.map((d) => d.path)).toEqual(["indexes-partial.html", "indexes-types.html"]);
    const second = (await (
      await call(`/v1/corpora/pg/documents?limit=2&cursor=${encodeURIComponent(first.next)}`)
    ).json()) as { documents: Array<{ path: string }>; next: string | null };
    expect(second).toEqual({
      documents: [
        expect.objectContaining({ path: "indexes-unique.html" }),
        expect.objectContaining({ path: "notes/brin.md" }),
      ],
      next: null,
    });
    expect(((await (await call("/v1/corpora/pg/runs?limit=1")).json()) as { runs: unknown[] }).runs).toHaveLength(1);
    expect((await call("/v1/corpora/pg/documents?cursor=nonsense")).status).toBe(400);

    expect((await call("/v1/corpora/pg/documents/notes/brin.md", { method: "DELETE" })).status).toBe(200);
    expect((await search("brin block ranges")).map((h) => h.sourcePath)).not.toContain("notes/brin.md");
    const again = await call("/v1/corpora/pg/documents/notes/brin.md", { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/notes\/brin\.md/);
  });

  it("genq ingest --sync makes the corpus match a changed folder, prints what changed, and changes nothing the second time", async () => {
    rmSync(join(docs, "indexes-unique.html"));
    writeFileSync(
      join(docs, "indexes-types.html"),
      "<html><head><title>Index Types</title></head><body><h1>Index Types</h1><p>GiST and SP-GiST indexes support nearest-neighbour searches.</p></body></html>",
    );
    writeFileSync(join(docs, "wal.md"), "# WAL\n\nWrite-ahead logging records every change before the data files.");
    const synced = genq(["ingest", docs, "--corpus", "pg", "--sync", "--data", data], env);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toContain("added     wal.md");
    expect(synced.stdout).toContain("replaced  indexes-types.html");
    expect(synced.stdout).toContain("deleted   indexes-unique.html");
    expect(synced.stdout).toMatch(/synced pg: 1 added, 1 replaced, 1 deleted, 1 unchanged/);
    const twice = genq(["ingest", docs, "--corpus", "pg", "--sync", "--data", data], env);
    expect(twice.stdout).toMatch(/^synced pg: 0 added, 0 replaced, 0 deleted, 3 unchanged/m);
    expect(twice.stdout).not.toMatch(/^(added|replaced|deleted) /m);
    // The serving index followed: the other process's changes reach this one's next search.
    expect((await search("nearest neighbour gist")).map((h) => h.sourcePath)).toContain("indexes-types.html");
    expect((await search("write-ahead logging")).map((h) => h.sourcePath)).toContain("wal.md");
    expect((await search("unique index")).map((h) => h.sourcePath)).not.toContain("indexes-unique.html");
  });

  it("a document deleted while a run works: the run still ends (promoted or kept out by the gate, never failed), and the serving index does not hold the document", async () => {
    const started = await call("/v1/corpora/pg/runs", { method: "POST" });
    const { id } = (await started.json()) as { id: string };
    // Let the run read the corpus and start generating, then delete a document it has read.
    await deps.outbox.drain(deps.handle);
    await deps.outbox.drain(deps.handle);
    expect((await deps.repo.getRun(id))!.state).not.toBe("ingesting");
    expect((await call("/v1/corpora/pg/documents/wal.md", { method: "DELETE" })).status).toBe(200);
    const run = await waitForRun(deps, id, () => {});
    expect(["ready", "rejected"]).toContain(run.state);
    expect((await search("write-ahead logging")).map((h) => h.sourcePath)).not.toContain("wal.md");
    expect(
      (await deps.index.documents((await deps.index.servingVersion("pg"))!)).map((d) => d.sourcePath),
    ).not.toContain("wal.md");
  }, 120_000);

  it("lists and revokes API keys: a revoked key gets 401 at once", async () => {
    const made = (await (await call("/v1/keys", { method: "POST" })).json()) as { id: string; key: string };
    expect((await call("/v1/corpora", { key: made.key })).status).toBe(200);
    const listed = (await (await call("/v1/keys")).json()) as { keys: Array<{ id: string }> };
    expect(listed.keys.map((k) => k.id)).toContain(made.id);
    expect(genq(["keys", "list", "--data", data], env).stdout).toContain(made.id);
    expect((await call(`/v1/keys/${made.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await call("/v1/corpora", { key: made.key })).status).toBe(401);
    expect((await call(`/v1/keys/${made.id}`, { method: "DELETE" })).status).toBe(404);
    const cli = genq(["keys", "create", "--data", data], env).stdout.trim();
    const id = genq(["keys", "list", "--data", data], env)
      .stdout.split("\n")
      .find((l) => l && !listed.keys.some((k) => l.startsWith(k.id)))!
      .split(" ")[0]!;
    expect((await call("/v1/corpora", { key: cli })).status).toBe(200);
    expect(genq(["keys", "revoke", id, "--data", data], env).code).toBe(0);
    expect((await call("/v1/corpora", { key: cli })).status).toBe(401);
  });

  it("retrains by itself under GENQ_RETRAIN_AFTER, and deletes the corpus only once its run has ended", async () => {
    open({ GENQ_RETRAIN_AFTER: "1" });
    await call("/v1/corpora/pg/documents", {
      body: { path: "checkpoints.md", content: "# Checkpoints\n\nA checkpoint flushes dirty pages to disk." },
    });
    await deps.outbox.drain(deps.handle);
    const started = (await deps.repo.getCorpus("pg"))!.activeRunId;
    expect(started).toBeTruthy();
    const refused = await call("/v1/corpora/pg", { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/in progress/);
    // A document that arrives while the retraining works (after its queries were generated) finds a run in
    // progress; once that run has ended, the policy starts the next one for it.
    await call("/v1/corpora/pg/documents", {
      body: { path: "wal.md", content: "# WAL\n\nThe write-ahead log records every change before the data files." },
    });
    const retrained = await waitForRun(deps, started!, () => {});
    expect(retrained.state).toBe("ready");
    await deps.outbox.drain(deps.handle);
    const next = (await deps.repo.listRuns("pg")).find((r) => r.createdAt > retrained.createdAt);
    expect(next, "a run started for the document that arrived meanwhile").toBeDefined();
    expect((await waitForRun(deps, next!.id, () => {})).state).toBe("ready");
    const serving = (await deps.index.servingVersion("pg"))!;
    expect((await deps.index.counts(serving)).untrained).toBe(0);
    open();
    const deleted = await call("/v1/corpora/pg", { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect((await call("/v1/corpora/pg")).status).toBe(404);
    expect(((await (await call("/v1/corpora")).json()) as { corpora: unknown[] }).corpora).toEqual([]);
    expect(existsSync(join(data, "bucket/corpora/pg"))).toBe(false);
    expect(await deps.index.servingVersion("pg")).toBeNull();
    expect(genq(["corpora", "delete", "pg", "--data", data], env).stderr).toMatch(/corpus "pg" not found/);
  }, 120_000);
});
