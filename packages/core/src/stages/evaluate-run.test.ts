import { describe, expect, it } from "vitest";
import { keys, type Run } from "../domain.ts";
import { silentLogger, systemClock } from "../ports.ts";
import { memoryBlobStore, memoryBus, memoryRepository, scriptedSearchIndex } from "../testing/memory-ports.ts";
import { toJsonLines } from "../usecases/load-passages.ts";
import { evaluateRun, type EvaluateDeps } from "./evaluate-run.ts";
import { createPipelineStages } from "./pipeline-stages.ts";

const DOCS = Array.from({ length: 16 }, (_, i) => `doc${String(i).padStart(2, "0")}`);

/**
 * A corpus of sixteen one-passage documents, one held-out query per document (`about <doc>`), and a search
 * index whose rankings the test scripts: `good` puts the right document first, `bad` last.
 */
async function setup(ranking: Record<string, "good" | "bad">) {
  const repo = memoryRepository();
  const blobs = memoryBlobStore();
  const bus = memoryBus();
  for (const d of DOCS) {
    const key = keys.passages("docs", d);
    await blobs.put(
      key,
      toJsonLines([
        { id: d, corpus: "docs", documentId: d, sourcePath: d, title: d, text: `text of ${d}`, ordinal: 0 },
      ]),
    );
    await repo.putDocument(
      {
        corpus: "docs",
        path: d,
        contentHash: d,
        status: "chunked",
        reason: null,
        size: 1,
        documentCount: 1,
        passageCount: 1,
        passagesKey: key,
        updatedAt: "t",
        version: 0,
      },
      null,
    );
  }
  await blobs.put("held.jsonl", toJsonLines(DOCS.map((d) => ({ query: `about ${d}`, passageId: d }))));
  const index = scriptedSearchIndex((version, mode, query) => {
    const target = query.replace("about ", "");
    const order = ranking[`${version}:${mode}`] ?? "good";
    const others = DOCS.filter((d) => d !== target);
    return order === "good" ? [target, ...others] : [...others, target];
  });
  const deps: EvaluateDeps = {
    repo,
    blobs,
    events: bus,
    index,
    clock: systemClock,
    logger: silentLogger,
    gate: { minGain: 0 },
    encoderFor: async () => ({ dimensions: 1, encode: async (t) => t.map(() => Float32Array.from([1])) }),
  };
  const run = async (id: string) => {
    const r: Run = {
      id,
      corpus: "docs",
      tenant: "t",
      state: "evaluating",
      reason: null,
      createdAt: "t",
      updatedAt: "t",
      artifacts: { heldoutKey: "held.jsonl", indexVersion: `${id}-index`, modelId: `${id}-model` },
      history: [],
      outcomePublished: false,
      version: 0,
    };
    await repo.putRun(r, null);
    await repo.putIndexVersion({
      id: `${id}-index`,
      corpus: "docs",
      runId: id,
      modelId: `${id}-model`,
      passageCount: 4,
      createdAt: "t",
    });
    return r;
  };
  return { deps, bus, index, run };
}

describe("the evaluation stage and its gate", () => {
  it("always serves a first run, in the most preferred setup that held-out queries do not place below BM25", async () => {
    const { deps, run } = await setup({});
    await run("r1");
    const report = await evaluateRun(deps, { runId: "r1", indexVersion: "r1-index", modelId: "r1-model" });
    expect(Object.keys(report.evaluations[0]!.systems)).toEqual(["bm25", "tuned", "hybrid"]);
    expect(report.gate).toMatchObject({
      promote: true,
      comparedTo: "bm25",
      score: 1,
      baseline: 1,
      setup: { name: "hybrid" },
    });
    expect(report.evaluations[0]!.significance.map((s) => `${s.system}/${s.against}`)).toEqual([
      "tuned/bm25",
      "hybrid/bm25",
    ]);
    expect(report.gate.reason).toMatch(
      /^hybrid nDCG@10 1\.000 vs bm25 1\.000 on \d+ held-out test queries \(p = 1\.000\): hybrid serves this first index$/,
    );
  });

  it("writes the per-query exports beside the report and keeps each query's drill-down", async () => {
    const { deps, run } = await setup({ "r1-index:lexical": "bad" });
    await run("r1");
    const report = await evaluateRun(deps, { runId: "r1", indexVersion: "r1-index", modelId: "r1-model" });
    const held = report.evaluations[0]!;
    expect(report.exports!.map((e) => e.file)).toEqual([
      "heldout-test.csv",
      "heldout-test.qrels",
      "heldout-test.bm25.trec",
      "heldout-test.tuned.trec",
      "heldout-test.hybrid.trec",
    ]);
    const text = async (file: string) =>
      new TextDecoder().decode(await deps.blobs.get(keys.result("docs", "r1", file)));
    expect((await text("heldout-test.csv")).trimEnd().split("\r\n")).toHaveLength(1 + held.queries * 3);
    // BM25 is scripted to rank every expected document last (16th): the drill-down and the TREC run say so.
    expect(held.details!.queries.every((q) => q.firstRelevant[0] === 16 && q.firstRelevant[1] === 1)).toBe(true);
    const bm25Run = (await text("heldout-test.bm25.trec")).trim().split("\n");
    expect(bm25Run).toHaveLength(held.queries * 16);
    expect(bm25Run[15]).toMatch(/^h\d+ Q0 doc\d\d 16 1 genq-bm25$/);
    for (const s of Object.values(held.systems))
      expect(Object.keys(s.intervals!)).toEqual(["ndcg@10", "mrr@10", "recall@10", "recall@100"]);
  });

  it("moves the hybrid's weights towards the tuned model when the validation half shows a clear gain", async () => {
    const { deps, run } = await setup({ "r1-index:lexical": "bad" });
    await run("r1");
    const report = await evaluateRun(deps, { runId: "r1", indexVersion: "r1-index", modelId: "r1-model" });
    expect(report.gate.promote).toBe(true);
    expect(report.gate.setup!.name).toBe("hybrid");
    const hybrid = report.calibration!.find((c) => c.setup.name === "hybrid")!;
    expect(hybrid.setup.weights.semantic).toBeGreaterThan(hybrid.setup.weights.lexical);
    expect(report.heldout).toMatchObject({ generated: 16, scored: 16 });
    expect(report.heldout!.validation + report.heldout!.test).toBe(16);
    expect(report.evaluations[0]!.queries).toBe(report.heldout!.test);
  });

  it("compares a later run with the serving index on the same queries (a second run is judged, not failed)", async () => {
    const { deps, index, run } = await setup({});
    await run("r1");
    await index.promote("docs", "r1-index");
    await run("r2");
    const report = await evaluateRun(deps, { runId: "r2", indexVersion: "r2-index", modelId: "r2-model" });
    expect(Object.keys(report.evaluations[0]!.systems)).toContain("serving");
    expect(report.evaluations[0]!.significance.map((s) => `${s.system}/${s.against}`)).toEqual([
      "tuned/bm25",
      "hybrid/bm25",
      "hybrid/serving",
    ]);
    expect(report.gate).toMatchObject({ promote: true, comparedTo: "serving index (r1-index)" });
  });

  it("judgments of a document deleted since they were stored are skipped, not a failed run", async () => {
    const { deps, run } = await setup({});
    await deps.blobs.put(
      `${keys.judgments("docs")}queries.jsonl`,
      '{"_id": "q1", "text": "about doc01"}\n{"_id": "q2", "text": "about gone"}\n',
    );
    await deps.blobs.put(
      `${keys.judgments("docs")}qrels.tsv`,
      "query-id\tcorpus-id\tscore\nq1\tdoc01\t1\nq2\tgone\t1\n",
    );
    await run("r1");
    const report = await evaluateRun(deps, { runId: "r1", indexVersion: "r1-index", modelId: "r1-model" });
    expect(report.evaluations.map((e) => [e.name, e.queries])).toContainEqual(["your judged queries", 1]);
  });

  it("rejects a run worse than what serves, keeping the serving index, and announces the verdict", async () => {
    const { deps, bus, index, run } = await setup({ "r2-index:lexical": "bad", "r2-index:semantic": "bad" });
    await run("r1");
    await index.promote("docs", "r1-index");
    await run("r2");
    const report = await evaluateRun(deps, { runId: "r2", indexVersion: "r2-index", modelId: "r2-model" });
    expect(report.gate.promote).toBe(false);
    expect(report.gate.reason).toMatch(
      /^hybrid 0\.\d+ is significantly worse than the serving index \(r1-index\) 1\.000 \(p = 0\.0\d+\); .*the serving index keeps serving \(on \d+ held-out test queries\)$/,
    );
    expect(await index.servingVersion("docs")).toBe("r1-index");
    expect(bus.published.map((e) => [e.type, (e.detail as { promote: boolean }).promote])).toEqual([
      ["evaluation.completed", false],
    ]);
  });

  it("is not evaluated twice: a re-issued stage announces the stored report's verdict", async () => {
    const { deps, bus, run } = await setup({ "r1-index:lexical": "bad" });
    await run("r1");
    await evaluateRun(deps, { runId: "r1", indexVersion: "r1-index", modelId: "r1-model" });
    let evaluatedAgain = false;
    const stages = createPipelineStages({
      ...deps,
      queryGenerator: { start: async () => ({ jobId: "" }) },
      trainer: { start: async () => ({ jobId: "" }) },
      deployer: { deploy: async () => ({ ready: true, endpoint: null }), retire: async () => {} },
      indexer: { start: async () => {} },
      work: { run: async () => void (evaluatedAgain = true) },
      pendingUploads: async () => 0,
    });
    await stages.evaluate({
      type: "evaluate",
      runId: "r1",
      corpus: "docs",
      indexVersion: "r1-index",
      modelId: "r1-model",
    });
    expect(evaluatedAgain).toBe(false);
    expect(bus.published.filter((e) => e.type === "evaluation.completed")).toHaveLength(1);
  });
});
