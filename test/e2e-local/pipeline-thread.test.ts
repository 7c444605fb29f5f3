import { cpSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { createLocalDeps, type LocalDeps } from "../../packages/cli/src/local-deps.ts";
import { runPipeline } from "../../packages/cli/src/run-command.ts";
import { startPipelineThread } from "../../packages/cli/src/pipeline-thread.ts";
import { createLocalApp, serveLocal } from "../../packages/cli/src/serve.ts";
import { ROOT, tempDir, until } from "./helpers.ts";

/**
 * `genq serve` runs the pipeline on a thread of its own: uploads are chunked and made searchable, runs
 * go from start to promotion there, while this thread only answers requests — it runs no stage's job,
 * and the first search of a newly promoted version finds its signals built. A second server on the same
 * data folder, after the first stopped, goes on from where it left.
 */

const env = { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1" };
const SRC = join(ROOT, "examples/postgresql-docs");
const docs = tempDir();
const data = tempDir();
let deps: LocalDeps;
let key: string;

const call = async (base: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const search = async (base: string, query: string) => {
  const res = await call(base, "/v1/corpora/pg/search", { query, k: 3 });
  expect(res.status).toBe(200);
  return ((await res.json()) as { hits: Array<{ sourcePath: string }> }).hits.map((h) => h.sourcePath);
};

beforeAll(async () => {
  for (const f of readdirSync(SRC).filter((f) => /^indexes-(types|multicolumn|unique|partial)/.test(f)))
    cpSync(join(SRC, f), join(docs, f));
  deps = createLocalDeps(loadConfig(env, { data }));
  expect((await runPipeline(deps, { docs, corpus: "pg", quiet: true }, () => {})).run.state).toBe("ready");
  key = createSqliteApiKeys(deps.db).create("local");
}, 120_000);
afterAll(() => deps?.close());

describe("a server whose pipeline runs on a thread of its own", () => {
  it("makes an upload searchable and takes a run to its end while this thread only answers searches", async () => {
    const server = await serveLocal(deps, 0, { pipeline: "thread" });
    const base = `http://127.0.0.1:${server.port}`;
    let jobsHere = 0;
    const watch = setInterval(() => (jobsHere = Math.max(jobsHere, deps.jobs.active)), 2);
    try {
      const upload = await call(base, "/v1/corpora/pg/documents", {
        path: "notes/brin.md",
        content: "# BRIN\n\nBRIN indexes summarise block ranges and stay tiny.",
      });
      expect(upload.status).toBe(202);
      await until("the upload to be searchable", async () =>
        (await search(base, "brin block ranges"))[0] === "notes/brin.md" ? true : undefined,
      );

      const servingBefore = await deps.index.servingVersion("pg");
      const started = await call(base, "/v1/corpora/pg/runs", {});
      expect(started.status).toBe(202);
      const { id } = (await started.json()) as { id: string };
      let searches = 0;
      const run = await until("the run to end", async () => {
        expect((await search(base, "multicolumn index")).length).toBeGreaterThan(0);
        searches++;
        const r = await deps.repo.getRun(id);
        return r && isTerminal(r.state) ? r : undefined;
      });
      expect(["ready", "rejected"]).toContain(run.state);
      expect(searches).toBeGreaterThan(5);
      // No stage's job ran on the serving thread: its job runner stayed idle throughout.
      expect(jobsHere).toBe(0);
      if (run.state === "ready") {
        const servingNow = await deps.index.servingVersion("pg");
        expect(servingNow).not.toBe(servingBefore);
        expect(await search(base, "brin block ranges")).toContain("notes/brin.md");
        // This thread holds the signals of the version it serves, and let go of the one it left.
        expect(deps.index.held).toBe(1);
      }
    } finally {
      clearInterval(watch);
      await server.stop();
    }
  }, 180_000);

  it("a server started again on the same folder goes on: another upload, another run", async () => {
    const server = await serveLocal(deps, 0, { pipeline: "thread" });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      expect(
        (
          await call(base, "/v1/corpora/pg/documents", {
            path: "notes/gin.md",
            content: "# GIN\n\nGIN indexes map each lexeme to the rows holding it.",
          })
        ).status,
      ).toBe(202);
      await until("the second upload to be searchable", async () =>
        (await search(base, "gin lexeme rows"))[0] === "notes/gin.md" ? true : undefined,
      );
      const { id } = (await (await call(base, "/v1/corpora/pg/runs", {})).json()) as { id: string };
      const run = await until("the second run to end", async () => {
        const r = await deps.repo.getRun(id);
        return r && isTerminal(r.state) ? r : undefined;
      });
      expect(["ready", "rejected"]).toContain(run.state);
      expect(await search(base, "gin lexeme rows")).toContain("notes/gin.md");
    } finally {
      await server.stop();
    }
  }, 180_000);

  it("a pipeline thread that dies is started again and the work goes on", async () => {
    const pipeline = await startPipelineThread(deps);
    try {
      const first = pipeline.thread;
      await first.terminate();
      const { app } = createLocalApp(deps);
      const upload = await app.request("/v1/corpora/pg/documents", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          path: "notes/hash.md",
          content: "# Hash\n\nHash indexes answer equality lookups only.",
        }),
      });
      expect(upload.status).toBe(202);
      const document = await until("the upload to be chunked by the new thread", async () => {
        const d = (await deps.repo.listDocuments("pg")).find((d) => d.path === "notes/hash.md");
        return d?.passageCount ? d : undefined;
      });
      expect(document.passageCount).toBeGreaterThan(0);
      expect(pipeline.thread).not.toBe(first);
    } finally {
      await pipeline.stop();
    }
  }, 60_000);

  it("a pipeline thread that dies mid-job gives its job back at once: its replacement need not wait for the lease to lapse", async () => {
    const pipeline = await startPipelineThread(deps);
    try {
      const first = { thread: pipeline.thread, owner: pipeline.leaseOwner };
      const leases = () =>
        deps.db.prepare("SELECT owner FROM job_leases WHERE job = 'run-x:training'").all() as Array<{ owner: string }>;
      // What the thread's job runner writes when it starts a job (the lease lapses only 30 s after its last renewal).
      deps.db
        .prepare(
          "INSERT INTO job_leases (job, owner, host, pid, started, expires_at) VALUES ('run-x:training', ?, ?, ?, ?, ?)",
        )
        .run(
          first.owner,
          hostname(),
          process.pid,
          Math.round(Date.now() - process.uptime() * 1000),
          Date.now() + 30_000,
        );
      await first.thread.terminate();
      await until("the thread's lease to be given back", async () => (leases().length === 0 ? true : undefined), 5000);
      await until("a new thread", async () => (pipeline.thread !== first.thread ? true : undefined), 10_000);
      expect(pipeline.leaseOwner).not.toBe(first.owner);
    } finally {
      await pipeline.stop();
    }
  }, 60_000);
});
