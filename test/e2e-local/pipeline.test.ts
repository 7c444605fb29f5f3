import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { QueryPair, RunReport } from "@genq/core";
import { createSqliteApiKeys } from "@genq/local";
import { loadConfig } from "../../packages/cli/src/config.ts";
import { createLocalDeps, type LocalDeps } from "../../packages/cli/src/local-deps.ts";
import { runPipeline } from "../../packages/cli/src/run-command.ts";
import { createLocalApp } from "../../packages/cli/src/serve.ts";
import { ROOT, genq, tempDir } from "./helpers.ts";

/** A small slice of the shipped examples: fast to train, real text. */
function smallCorpus(): string {
  const dir = tempDir();
  const src = join(ROOT, "examples/postgresql-docs");
  for (const f of readdirSync(src).filter((f) => /^(indexes|tutorial)/.test(f))) cpSync(join(src, f), join(dir, f));
  return dir;
}

let deps: LocalDeps;
let app: ReturnType<typeof createLocalApp>["app"];
let key: string;
let report: RunReport;
let runId: string;
const judged = { queries: "", qrels: "" };

const call = (path: string, init: { method?: string; body?: unknown; key?: string | null; accept?: string } = {}) =>
  app.request(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...(init.key === null ? {} : { authorization: `Bearer ${init.key ?? key}` }),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.accept ? { accept: init.accept } : {}),
    },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });

beforeAll(async () => {
  const data = tempDir();
  deps = createLocalDeps(loadConfig({ GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1" }, { data }));
  const docs = smallCorpus();
  const qdir = tempDir();
  judged.queries = join(qdir, "queries.jsonl");
  judged.qrels = join(qdir, "qrels.tsv");
  writeFileSync(
    judged.queries,
    [
      '{"_id": "q1", "text": "which index type suits equality comparisons only"}',
      '{"_id": "q2", "text": "how can several columns share one index"}',
    ].join("\n"),
  );
  writeFileSync(
    judged.qrels,
    "query-id\tcorpus-id\tscore\nq1\tindexes-types.html\t1\nq2\tindexes-multicolumn.html\t1\n",
  );
  const outcome = await runPipeline(
    deps,
    { docs, corpus: "pg", queries: judged.queries, qrels: judged.qrels, quiet: true },
    () => {},
  );
  expect(outcome.run.state).toBe("ready");
  report = outcome.report!;
  runId = outcome.run.id;
  const local = createLocalApp(deps);
  app = local.app;
  key = local.keys.create("local");
}, 240_000);

describe("the local pipeline", () => {
  it("runs ingest → generate → train → deploy → index → evaluate → ready, promoting the index", async () => {
    const run = (await deps.repo.getRun(runId))!;
    expect(run.history.map((h) => h.to)).toEqual([
      "generating",
      "training",
      "deploying",
      "indexing",
      "evaluating",
      "promoting",
      "ready",
    ]);
    expect(await deps.index.servingVersion("pg")).toBe(run.artifacts.indexVersion);
    expect((await deps.repo.getCorpus("pg"))!.servingRunId).toBe(runId);
    const manifest = JSON.parse(
      new TextDecoder().decode(await deps.blobs.get(`${run.artifacts.modelKey}manifest.json`)),
    );
    expect(manifest).toMatchObject({ type: "static-embedding", kind: "tuned", dims: 128 });
    expect(manifest.training.pairs).toBeGreaterThan(100);
  });

  it("reports every system on held-out and judged queries, with intervals, the ablation, the calibrated setups and the gate's choice", async () => {
    expect(report.evaluations.map((e) => e.source)).toEqual(["held-out synthetic", "user judgments"]);
    for (const e of report.evaluations)
      expect(Object.keys(e.systems)).toEqual(["bm25", "tfidf", "base", "tuned", "hybrid-untuned", "hybrid"]);
    const held = report.evaluations[0]!;
    for (const s of Object.values(held.systems))
      expect(s.ndcgInterval!.low).toBeLessThanOrEqual(s.metrics["ndcg@10"] + 1e-9);
    expect(held.ablation).toMatchObject({ system: "hybrid", without: "hybrid-untuned" });
    expect(report.calibration!.map((c) => c.setup.name)).toEqual(["lexical", "semantic", "hybrid-untuned", "hybrid"]);
    expect(report.heldout!.validation + report.heldout!.test).toBe(report.heldout!.scored);
    expect(report.evaluations[1]!.queries).toBe(2);
    expect(report.gate.promote).toBe(true);
    expect(report.gate.reason).toMatch(/nDCG@10 .* vs bm25 .* serves this first index/);
    expect((await deps.repo.getCorpus("pg"))!.servingSetup).toEqual(report.gate.setup);
    expect(report.projection?.models).toHaveLength(2);
  });

  it("prints exactly the documented JSON from genq eval --json", () => {
    const r = genq(
      [
        "eval",
        "--corpus",
        "pg",
        "--queries",
        judged.queries,
        "--qrels",
        judged.qrels,
        "--json",
        "--data",
        deps.config.dataDir,
      ],
      { GENQ_LOG_LEVEL: "silent" },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      queries: number;
      systems: Record<string, Record<string, number>>;
      served: Record<string, unknown>;
    };
    expect(Object.keys(out)).toEqual(["queries", "systems", "served"]);
    expect(out.queries).toBe(2);
    expect(Object.keys(out.systems)).toEqual(["bm25", "tfidf", "base", "tuned", "hybrid-untuned", "hybrid"]);
    expect(Object.keys(out.served)).toEqual(["setup", "ndcg@10", "mrr@10", "recall@10", "recall@100"]);
    for (const m of Object.values(out.systems))
      expect(Object.keys(m)).toEqual(["ndcg@10", "mrr@10", "recall@10", "recall@100"]);
    const badQrels = join(tempDir(), "qrels.tsv");
    writeFileSync(badQrels, "q1\tno-such-doc.html\t1\n");
    const refused = genq(
      ["eval", "--corpus", "pg", "--queries", judged.queries, "--qrels", badQrels, "--data", deps.config.dataDir],
      { GENQ_LOG_LEVEL: "silent" },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('qrels.tsv line 1: unknown document "no-such-doc.html"');
  });

  it("prints the serving run's report with genq report, and opens it in $BROWSER with --open", async () => {
    const env = { GENQ_LOG_LEVEL: "silent" };
    const r = genq(["report", "--data", deps.config.dataDir], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`report of run ${runId} (corpus pg`);
    expect(r.stdout).toMatch(/\n {2}hybrid +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +\[[\d.]+, [\d.]+\]\n/);
    expect(r.stdout).toMatch(/per-query results: .*\/results\/ \(heldout-test\.csv, heldout-test\.qrels, /);
    const html = /report: (\S+report\.html)/.exec(r.stdout)![1]!;
    expect(readFileSync(html, "utf8")).toContain('href="results/heldout-test.csv"');

    const dir = tempDir();
    const browser = join(dir, "browser.sh");
    writeFileSync(browser, `#!/bin/sh\necho "$1" > ${join(dir, "opened.txt")}\n`, { mode: 0o755 });
    const opened = genq(["report", "--corpus", "pg", "--run", runId, "--open", "--data", deps.config.dataDir], {
      ...env,
      BROWSER: browser,
    });
    expect(opened.code).toBe(0);
    expect(opened.stdout).toContain(`opened ${html}`);
    await expect
      .poll(() => existsSync(join(dir, "opened.txt")) && readFileSync(join(dir, "opened.txt"), "utf8").trim())
      .toBe(html);

    const missing = genq(["report", "--run", "no-such-run", "--data", deps.config.dataDir], env);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'genq: run "no-such-run" not found']);
  });

  it("never trains on judged queries", async () => {
    const run = (await deps.repo.getRun(runId))!;
    const pairs = new TextDecoder()
      .decode(await deps.blobs.get(run.artifacts.pairsKey!))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as QueryPair);
    const judgedTexts = readFileSync(judged.queries, "utf8")
      .split("\n")
      .map((l) => (JSON.parse(l) as { text: string }).text);
    expect(pairs.length).toBeGreaterThan(100);
    for (const p of pairs) expect(judgedTexts).not.toContain(p.query);
    const heldout = new TextDecoder()
      .decode(await deps.blobs.get(run.artifacts.heldoutKey!))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as QueryPair);
    const trainPassages = new Set(pairs.map((p) => p.passageId));
    for (const h of heldout) expect(trainPassages.has(h.passageId)).toBe(false);
  });
});

describe("the HTTP API", () => {
  it("searches in every mode, with highlights that belong to the passage", async () => {
    for (const mode of ["hybrid", "semantic", "lexical"]) {
      const res = await call("/v1/corpora/pg/search", {
        body: { query: "multicolumn index on several columns", k: 5, mode },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { hits: Array<{ text: string; documentId: string; highlights: string[] }> };
      expect(body.hits).toHaveLength(5);
      if (mode !== "semantic")
        expect(body.hits.slice(0, 3).map((h) => h.documentId)).toContain("indexes-multicolumn.html");
      const plain = (hl: string) =>
        hl
          .replace(/<\/?mark>/g, "")
          .replace(/^…|…$/g, "")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, "&");
      for (const h of body.hits) for (const hl of h.highlights) expect(h.text).toContain(plain(hl));
      expect(body.hits.some((h) => h.highlights.some((hl) => hl.includes("<mark>")))).toBe(true);
    }
  });

  it("filters by document", async () => {
    const res = await call("/v1/corpora/pg/search", {
      body: { query: "index", k: 10, filter: { documentId: "indexes-partial.html" } },
    });
    const body = (await res.json()) as { hits: Array<{ documentId: string }> };
    expect(body.hits.length).toBeGreaterThan(0);
    expect(new Set(body.hits.map((h) => h.documentId))).toEqual(new Set(["indexes-partial.html"]));
  });

  it("answers an answerable question with its span and calibrated score, and abstains on one the corpus does not answer", async () => {
    type Qa = {
      noAnswer: boolean;
      answers: Array<{
        text: string;
        score: number;
        start: number;
        end: number;
        passage: { text: string; documentId: string };
      }>;
      metadata: { model: string; questionType: string; threshold: number; latencyMs: number };
    };
    const qa = (await (
      await call("/v1/corpora/pg/qa", { body: { question: "How long can the strings of a varchar(80) column be?" } })
    ).json()) as Qa;
    expect(qa.noAnswer).toBe(false);
    const best = qa.answers[0]!;
    expect(best.passage.text.slice(best.start, best.end)).toBe(best.text);
    expect(best.text).toMatch(/80 characters/);
    expect(best.text.length).toBeLessThan(40);
    expect(best.score).toBeGreaterThanOrEqual(qa.metadata.threshold);
    expect(best.score).toBeLessThanOrEqual(1);
    expect(qa.metadata).toMatchObject({
      model: expect.stringMatching(/^genq-extractive-reader@/),
      questionType: "number",
    });
    for (const a of qa.answers) expect(a.passage.text.slice(a.start, a.end)).toBe(a.text);

    const command = (await (
      await call("/v1/corpora/pg/qa", { body: { question: "Which command removes an index?" } })
    ).json()) as Qa;
    expect(command.answers[0]?.text).toBe("DROP INDEX");

    const france = (await (
      await call("/v1/corpora/pg/qa", { body: { question: "What is the capital of France?" } })
    ).json()) as Qa & { bestGuess: unknown };
    expect(france).toMatchObject({ noAnswer: true, answers: [] });
    const mongo = (await (
      await call("/v1/corpora/pg/qa", { body: { question: "How do I create an index in MongoDB?" } })
    ).json()) as Qa;
    expect(mongo).toMatchObject({ noAnswer: true, answers: [] });

    type Rag = {
      answer: string;
      noAnswer: boolean;
      reason?: string;
      sentences: Array<{ text: string; citations: Array<{ passageId: string; start: number; end: number }> }>;
      passages: Array<{ id: string; text: string }>;
      metadata: { latencyMs: number };
    };
    const rag = (await (
      await call("/v1/corpora/pg/answer", {
        body: { question: "Which option makes a unique index treat nulls as equal?" },
      })
    ).json()) as Rag;
    expect(rag.noAnswer).toBe(false);
    expect(rag.answer).toMatch(/NULLS NOT DISTINCT/);
    expect(rag.sentences.length).toBeGreaterThan(0);
    for (const s of rag.sentences) {
      expect(s.citations).toHaveLength(1);
      const p = rag.passages.find((x) => x.id === s.citations[0]!.passageId)!;
      expect(p.text.slice(s.citations[0]!.start, s.citations[0]!.end)).toBe(s.text);
    }
    const none = (await (
      await call("/v1/corpora/pg/answer", { body: { question: "What is the capital of France?" } })
    ).json()) as Rag;
    expect(none).toMatchObject({ noAnswer: true, answer: "", sentences: [] });
    expect(none.reason).toMatch(/passages/);
  });

  it("refuses bad requests with the field named, and never leaks a stack", async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ query: "x", k: 1000 }, 400, /^k:/],
      [{ query: "x".repeat(1001) }, 400, /^query:/],
      [{ query: "x", mode: "fuzzy" }, 400, /^mode:/],
      [{ k: 3 }, 400, /^query:/],
      [{ query: "x", extra: 1 }, 400, /extra|Unrecognized/],
      ["{not json", 400, /Malformed JSON/],
    ];
    for (const [body, status, message] of cases) {
      const res = await call("/v1/corpora/pg/search", { body });
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: { message: string } };
      expect(json.error.message).toMatch(message);
      expect(JSON.stringify(json)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it("keeps tenants apart: wrong key 401, unknown or foreign corpus 404", async () => {
    expect((await call("/v1/corpora", { key: null })).status).toBe(401);
    expect((await call("/v1/corpora", { key: "gq_wrong" })).status).toBe(401);
    expect((await call("/v1/corpora/none/search", { body: { query: "x" } })).status).toBe(404);
    const other = createSqliteApiKeys(deps.db).create("someone-else");
    expect([404, 409]).toContain(
      (await call("/v1/corpora/pg/search", { key: other, body: { query: "index" } })).status,
    );
    expect((await call("/v1/corpora/pg", { key: other })).status).toBe(404);
    expect((await call(`/v1/runs/${runId}`, { key: other })).status).toBe(404);
    expect(((await (await call("/v1/corpora", { key: other })).json()) as { corpora: unknown[] }).corpora).toEqual([]);
    // Names are per tenant: another tenant's "pg" is its own corpus, and the local "pg" is untouched.
    const before = (await deps.repo.listDocuments("pg")).length;
    expect(
      (await call("/v1/corpora/pg/documents", { key: other, body: { path: "x.md", content: "# hi" } })).status,
    ).toBe(202);
    expect((await deps.repo.listDocuments("pg")).length).toBe(before);
    expect([404, 409]).toContain(
      (await call("/v1/corpora/pg/search", { key: other, body: { query: "index" } })).status,
    );
  });

  it("describes corpora and runs, and serves the report as JSON or HTML", async () => {
    const corpus = (await (await call("/v1/corpora/pg")).json()) as { passages: number; serving: { runId: string } };
    expect(corpus.passages).toBeGreaterThan(50);
    expect(corpus.serving.runId).toBe(runId);
    expect(((await (await call(`/v1/runs/${runId}`)).json()) as { state: string }).state).toBe("ready");
    const json = (await (await call(`/v1/runs/${runId}/report`)).json()) as RunReport;
    expect(json.gate.promote).toBe(true);
    const html = await call(`/v1/runs/${runId}/report`, { accept: "text/html" });
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    expect(await html.text()).toMatch(/<svg class="chart bar-chart"/);
    expect((await call("/health", { key: null })).status).toBe(200);
    const openapi = (await (await call("/openapi.json", { key: null })).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        "/v1/corpora/{corpus}/search",
        "/v1/corpora/{corpus}/qa",
        "/v1/corpora/{corpus}/answer",
        "/v1/runs/{run}/report",
      ]),
    );
  });

  it("takes uploads the same way as dropped files, and refuses escaping paths", async () => {
    const res = await call("/v1/corpora/pg/documents", {
      body: { path: "notes/brin.md", content: "# BRIN\n\nBRIN indexes summarise block ranges and stay tiny." },
    });
    expect(res.status).toBe(202);
    await deps.outbox.drain(deps.handle);
    expect(await deps.repo.getDocument("pg", "notes/brin.md")).toMatchObject({ status: "chunked" });
    const bad = await call("/v1/corpora/pg/documents", { body: { path: "../escape.md", content: "x" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^path:/);
  });

  it("takes judgments through the API, refusing unknown documents with the line", async () => {
    const queries = '{"_id": "q9", "text": "what is a partial index"}';
    const ok = await call("/v1/corpora/pg/judgments", {
      method: "PUT",
      body: { queries, qrels: "q9\tindexes-partial.html\t1\n" },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ queries: 1 });
    const bad = await call("/v1/corpora/pg/judgments", {
      method: "PUT",
      body: { queries, qrels: "q9\tnope.html\t1\n" },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'qrels.tsv line 1: unknown document "nope.html"',
    );
  });

  it("streams stage events to the tenant over SSE", async () => {
    const res = await call("/v1/events?after=0");
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("event: run.succeeded")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain(`"runId":"${runId}"`);
  });
});
