import { describe, expect, it } from "vitest";
import { buildQueryDetails, corpusIdFor, keys, queryMetrics, resultFiles, type RunReport } from "@genq/core";
import { testApp } from "../test-app.ts";

/** A run of tenant t1 with a report whose systems rank query i's expected document at rank `shift + 1`. */
async function reportedRun(t: ReturnType<typeof testApp>, id: string, shift: number, tenant = "t1", corpus = "docs") {
  const docs = ["a.md", "b.md", "c.md", "d.md"];
  const queries = docs.map((d, i) => ({ id: `q${i}`, text: `about ${d}`, judgments: new Map([[d, 1]]) }));
  const rankings = {
    bm25: queries.map((_, i) => {
      const o = docs.filter((_, j) => j !== i);
      o.splice(shift, 0, docs[i]!);
      return o;
    }),
  };
  const metrics = { bm25: queries.map((q, i) => queryMetrics(rankings.bm25[i]!, q.judgments)) };
  const files = resultFiles({ slug: "judged", queries, rankings, metrics });
  const ndcg = metrics.bm25.reduce((s, m) => s + m["ndcg@10"], 0) / 4;
  const report: RunReport = {
    runId: id,
    corpus,
    createdAt: "2026-01-01T00:00:00Z",
    servingMode: "lexical",
    facts: { passages: 4 },
    evaluations: [
      {
        slug: "judged",
        name: "your judged queries",
        source: "user judgments",
        queries: 4,
        systems: {
          bm25: { metrics: { "ndcg@10": ndcg, "mrr@10": ndcg, "recall@10": 1, "recall@100": 1 }, recallCurve: [1] },
        },
        significance: [],
        wins: [],
        losses: [],
        details: buildQueryDetails(queries, rankings, metrics),
      },
    ],
    gate: { promote: true, reason: "first run", comparedTo: "bm25", score: 1, baseline: 1 },
    projection: null,
    modelCard: null,
    exports: files.map(({ content: _, ...f }) => f),
  };
  for (const f of files) await t.blobs.put(keys.result(corpus, id, f.file), f.content);
  await t.blobs.put(keys.report(corpus, id, "json"), JSON.stringify(report));
  await t.putRun({ id, corpus, tenant, state: "ready", artifacts: { reportKey: keys.report(corpus, id, "json") } });
}

describe("report routes", () => {
  it("renders the report as HTML from report.json, or gives the JSON as stored", async () => {
    const t = testApp();
    await reportedRun(t, "r1", 0);
    const html = await t.call("/v1/runs/r1/report", { headers: { accept: "text/html" } });
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    const page = await html.text();
    expect(page).toContain("genq evaluation report");
    expect(page).toContain('<details class="query"');
    const json = (await (await t.call("/v1/runs/r1/report")).json()) as RunReport;
    expect(json.exports!.map((e) => e.file)).toEqual(["judged.csv", "judged.qrels", "judged.bm25.trec"]);
  });

  it("lists and serves the per-query exports as attachments, and nothing else", async () => {
    const t = testApp();
    await reportedRun(t, "r1", 0);
    const list = (await (await t.call("/v1/runs/r1/results")).json()) as {
      files: Array<{ file: string; kind: string }>;
    };
    expect(list.files.map((f) => f.kind)).toEqual(["csv", "qrels", "trec"]);
    const csv = await t.call("/v1/runs/r1/results/judged.csv");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="r1.judged.csv"');
    expect((await csv.text()).split("\r\n")[0]).toMatch(/^query_id,query,system,ndcg@10/);
    const trec = await (await t.call("/v1/runs/r1/results/judged.bm25.trec")).text();
    expect(trec.split("\n")[0]).toBe("q0 Q0 a.md 1 4 genq-bm25");
    expect((await t.call("/v1/runs/r1/results/report.json")).status).toBe(404);
    expect((await t.call("/v1/runs/r1/results/..%2Freport.json")).status).toBe(404);
    expect((await t.call("/v1/runs/r1/results/judged.csv", { key: "k2" })).status).toBe(404);
  });

  it("compares two runs of a corpus side by side, and refuses runs of different corpora", async () => {
    const t = testApp();
    await reportedRun(t, "r1", 0);
    await reportedRun(t, "r2", 2);
    const json = (await (await t.call("/v1/runs/r1/compare/r2")).json()) as {
      a: { runId: string };
      b: { runId: string };
      sets: Array<{ common: number; paired: Array<{ system: string; difference: { mean: number } }> }>;
    };
    expect([json.a.runId, json.b.runId]).toEqual(["r1", "r2"]);
    expect(json.sets[0]!.common).toBe(4);
    expect(json.sets[0]!.paired[0]!.difference.mean).toBeCloseTo(1 / Math.log2(4) - 1, 10);
    const html = await (await t.call("/v1/runs/r1/compare/r2", { headers: { accept: "text/html" } })).text();
    expect(html).toContain("genq runs compared");
    await reportedRun(t, "r3", 0, "t1", "elsewhere");
    const refused = await t.call("/v1/runs/r1/compare/r3");
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/different corpora/);
    await reportedRun(t, "x1", 0, "t2");
    expect((await t.call("/v1/runs/r1/compare/x1")).status).toBe(404);
  });

  it("names another tenant's corpus by its name, never by the id it is stored under", async () => {
    const t = testApp();
    // t1 is the app's default tenant: t2's corpora are stored as `<name>.<qualifier>`.
    const [docs, other] = [corpusIdFor("t2", "docs", "t1"), corpusIdFor("t2", "other", "t1")];
    await reportedRun(t, "b1", 0, "t2", docs);
    await reportedRun(t, "b2", 1, "t2", other);
    const report = await t.call("/v1/runs/b1/report", { key: "k2" });
    expect(((await report.json()) as { corpus: string }).corpus).toBe("docs");
    const page = await (await t.call("/v1/runs/b1/report", { key: "k2", headers: { accept: "text/html" } })).text();
    expect(page).toContain("corpus <b>docs</b>");
    expect(page).not.toContain(docs);
    const refused = await t.call("/v1/runs/b1/compare/b2", { key: "k2" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toBe(
      "runs of different corpora cannot be compared (docs, other)",
    );
  });
});

describe("key routes", () => {
  it("lists the tenant's keys marking the caller's own, makes one shown once, and revokes so it is refused at once", async () => {
    const t = testApp();
    const list = async (key = "k1") =>
      ((await (await t.call("/v1/keys", { key })).json()) as { keys: Array<{ id: string; current: boolean }> }).keys;
    expect((await list()).map((k) => k.current)).toEqual([true]);
    const made = await t.call("/v1/keys", { method: "POST" });
    expect(made.status).toBe(201);
    const { id, key } = (await made.json()) as { id: string; key: string };
    expect((await t.call("/v1/corpora", { key })).status).toBe(200);
    expect((await list(key)).find((k) => k.id === id)).toEqual(expect.objectContaining({ current: true }));
    expect((await t.call(`/v1/keys/${id}`, { method: "DELETE", key: "k2" })).status).toBe(404);
    expect((await t.call(`/v1/keys/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.call("/v1/corpora", { key })).status).toBe(401);
    expect((await t.call("/v1/keys/not-an-id", { method: "DELETE" })).status).toBe(400);
  });

  it("answers 501 where the runtime manages keys elsewhere", async () => {
    const t = testApp({ withKeys: false });
    const res = await t.call("/v1/keys");
    expect(res.status).toBe(501);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/outside the HTTP API/);
  });
});

describe("corpus routes for the console", () => {
  it("pages through documents by path with a cursor, rejected ones with their reason", async () => {
    const t = testApp();
    await t.repo.putCorpus(
      {
        name: "docs",
        tenant: "t1",
        createdAt: "t",
        servingRunId: null,
        servingIndexVersion: null,
        servingSetup: null,
        activeRunId: null,
        version: 0,
      },
      null,
    );
    for (const [i, path] of ["c.md", "a.md", "b.bin", "d.md", "e.md"].entries()) {
      const rejected = path.endsWith(".bin");
      await t.repo.putDocument(
        {
          corpus: "docs",
          path,
          contentHash: `h${i}`,
          status: rejected ? "rejected" : "chunked",
          reason: rejected ? "binary file" : null,
          size: 10,
          documentCount: rejected ? 0 : 1,
          passageCount: rejected ? 0 : 2,
          passagesKey: null,
          updatedAt: "t",
          version: 0,
        },
        null,
      );
    }
    type Page = { documents: Array<{ path: string; status: string; reason: string | null }>; next: string | null };
    const first = (await (await t.call("/v1/corpora/docs/documents?limit=2")).json()) as Page;
    expect(first.documents.map((d) => d.path)).toEqual(["a.md", "b.bin"]);
    expect(first.documents[1]).toMatchObject({ status: "rejected", reason: "binary file" });
    const second = (await (await t.call(`/v1/corpora/docs/documents?limit=2&cursor=${first.next}`)).json()) as Page;
    const third = (await (await t.call(`/v1/corpora/docs/documents?limit=2&cursor=${second.next}`)).json()) as Page;
    expect([...second.documents, ...third.documents].map((d) => d.path)).toEqual(["c.md", "d.md", "e.md"]);
    expect(third.next).toBeNull();
    const rejected = (await (await t.call("/v1/corpora/docs/documents?status=rejected")).json()) as Page;
    expect(rejected).toEqual({
      documents: [expect.objectContaining({ path: "b.bin", status: "rejected", reason: "binary file" })],
      next: null,
    });
    expect((await t.call("/v1/corpora/docs/documents?limit=0")).status).toBe(400);
    expect((await t.call("/v1/corpora/docs/documents?cursor=not-a-cursor")).status).toBe(400);
    expect((await t.call("/v1/corpora/docs/documents", { key: "k2" })).status).toBe(404);
  });
});
