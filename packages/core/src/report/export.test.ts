import { describe, expect, it } from "vitest";
import type { JudgedQuery } from "../metrics/judgments.ts";
import { queryMetrics, type MetricSet } from "../metrics/retrieval.ts";
import { perQueryCsv, resultFiles, trecId, trecQrels, trecRun, type QuerySetResults } from "./export.ts";
import { buildQueryDetails, MAX_DETAIL_QUERIES, renderQueryDetail } from "./query-details.ts";

const DOCS = Array.from({ length: 30 }, (_, i) => `doc ${String(i).padStart(2, "0")}.md`);

/** A deterministic query set: query i's expected documents are i and i+7; systems rank with ties. */
function results(n = 12): QuerySetResults {
  const queries: JudgedQuery[] = Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    text: i === 0 ? '=cmd("x"), with a comma' : `query ${i}`,
    judgments: new Map([
      [DOCS[i % 30]!, 2],
      [DOCS[(i + 7) % 30]!, 1],
      [DOCS[(i + 3) % 30]!, 0],
    ]),
  }));
  const rank = (shift: number) =>
    queries.map((_, i) =>
      Array.from({ length: 25 }, (_, k) => DOCS[(i + shift + k * 7) % 30]!).filter((d, k, a) => a.indexOf(d) === k),
    );
  const rankings = { bm25: rank(0), hybrid: rank(2) };
  const metrics: Record<string, MetricSet[]> = Object.fromEntries(
    Object.entries(rankings).map(([s, r]) => [s, queries.map((q, i) => queryMetrics(r[i]!, q.judgments))]),
  );
  return { slug: "judged", queries, rankings, metrics };
}

/** Parse a TREC run as trec_eval does: per query, sort by score descending, ties by document id descending. */
function parseRun(text: string): Map<string, string[]> {
  const rows = new Map<string, Array<{ doc: string; score: number }>>();
  for (const line of text.trim().split("\n")) {
    const [qid, q0, doc, rank, score, tag] = line.split(/\s+/);
    expect([q0, Number.isInteger(Number(rank)), tag?.startsWith("genq-")]).toEqual(["Q0", true, true]);
    if (!rows.has(qid!)) rows.set(qid!, []);
    rows.get(qid!)!.push({ doc: doc!, score: Number(score) });
  }
  return new Map(
    [...rows].map(([q, r]) => [q, r.sort((a, b) => b.score - a.score || (a.doc < b.doc ? 1 : -1)).map((x) => x.doc)]),
  );
}

function parseQrels(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const line of text.trim().split("\n")) {
    const [qid, , doc, rel] = line.split(/\s+/);
    if (!out.has(qid!)) out.set(qid!, new Map());
    out.get(qid!)!.set(doc!, Number(rel));
  }
  return out;
}

/** trec_eval's ndcg_cut.10: gain = relevance, discount log2(rank + 1), ideal from the qrels. */
function ndcgCut10(ranking: string[], qrels: Map<string, number>): number {
  const dcg = ranking.slice(0, 10).reduce((s, d, i) => s + (qrels.get(d) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...qrels.values()]
    .filter((r) => r > 0)
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((s, r, i) => s + r / Math.log2(i + 2), 0);
  return ideal ? dcg / ideal : 0;
}

describe("per-query exports", () => {
  it("TREC run and qrels files give a trec_eval-style evaluator genq's own nDCG@10 and recall@100, ids with spaces included", () => {
    const r = results();
    const qrels = parseQrels(trecQrels(r));
    for (const system of ["bm25", "hybrid"]) {
      const run = parseRun(trecRun(r, system));
      r.queries.forEach((q, i) => {
        const ranking = run.get(trecId(q.id))!;
        expect(ranking).toEqual(r.rankings[system]![i]!.map(trecId));
        expect(ndcgCut10(ranking, qrels.get(q.id)!)).toBeCloseTo(r.metrics[system]![i]!["ndcg@10"], 12);
        const relevant = [...qrels.get(q.id)!].filter(([, rel]) => rel > 0).map(([d]) => d);
        expect(relevant.filter((d) => ranking.includes(d)).length / relevant.length).toBeCloseTo(
          r.metrics[system]![i]!["recall@100"],
          12,
        );
      });
    }
    expect(trecId("a b%c\td")).toBe("a%20b%25c%09d");
    expect(trecQrels(r).split("\n")[0]).toBe("q0 0 doc%2000.md 2");
  });

  it("CSV has one quoted, formula-safe row per query and system with every metric and the first expected rank", () => {
    const r = results();
    const lines = perQueryCsv(r).trimEnd().split("\r\n");
    expect(lines[0]).toBe("query_id,query,system,ndcg@10,mrr@10,recall@10,recall@100,first_relevant_rank,relevant");
    expect(lines).toHaveLength(1 + r.queries.length * 2);
    expect(lines[1]).toMatch(
      /^q0,"'=cmd\(""x""\), with a comma",bm25,[\d.]+,[\d.]+,[\d.]+,[\d.]+,\d*,doc 00\.md doc 07\.md$/,
    );
    const hybridQ3 = lines.find((l) => l.startsWith("q3,query 3,hybrid,"))!.split(",");
    expect(Number(hybridQ3[3])).toBeCloseTo(r.metrics.hybrid![3]!["ndcg@10"], 12);
    const firstExpected = r.rankings.hybrid![3]!.findIndex((d) => (r.queries[3]!.judgments.get(d) ?? 0) > 0) + 1;
    expect(hybridQ3[7]).toBe(firstExpected ? String(firstExpected) : "");
  });

  it("names one CSV, one qrels and one TREC run per system", () => {
    expect(resultFiles(results()).map((f) => `${f.kind}:${f.file}`)).toEqual([
      "csv:judged.csv",
      "qrels:judged.qrels",
      "trec:judged.bm25.trec",
      "trec:judged.hybrid.trec",
    ]);
  });
});

describe("the per-query drill-down", () => {
  it("keeps at most the bounded number of queries, top 10 per system, document ids once", () => {
    const r = results(MAX_DETAIL_QUERIES + 40);
    const d = buildQueryDetails(r.queries, r.rankings, r.metrics);
    expect(d.total).toBe(MAX_DETAIL_QUERIES + 40);
    expect(d.queries).toHaveLength(MAX_DETAIL_QUERIES);
    expect(new Set(d.documents).size).toBe(d.documents.length);
    const q = d.queries[5]!;
    expect(q.top.map((t) => t.length)).toEqual([10, 10]);
    expect(q.top[1]!.map((i) => d.documents[i])).toEqual(r.rankings.hybrid![5]!.slice(0, 10));
    expect(q.relevant.map((i) => d.documents[i])).toEqual([DOCS[5], DOCS[12]]);
    expect(q.firstRelevant[0]).toBe(r.rankings.bm25![5]!.findIndex((x) => x === DOCS[5] || x === DOCS[12]) + 1 || null);
    // Bounded: about half a kilobyte per query with two systems.
    expect(JSON.stringify(d).length / d.queries.length).toBeLessThan(400);
  });

  it("marks the expected documents in each system's list and says where the first one ranked", () => {
    const r = results();
    const d = buildQueryDetails(r.queries, r.rankings, r.metrics);
    const html = renderQueryDetail(d, 0);
    expect(html).toContain("<b>Expected:</b> <code>doc 00.md</code>, <code>doc 07.md</code>");
    expect((html.match(/class="hit"/g) ?? []).length).toBe(
      d.queries[0]!.top.flat().filter((i) => d.queries[0]!.relevant.includes(i)).length,
    );
    expect(html).toMatch(/first expected<\/th><td>(rank \d+|not in top 100)<\/td>/);
  });
});
