import { keys, type Run } from "../domain.ts";
import { parseJudgments, type JudgedQuery } from "../metrics/judgments.ts";
import { meanMetrics, queryMetrics, rankDocuments, recallAt, type ScoredDocument } from "../metrics/retrieval.ts";
import { pairedRandomisationTest } from "../metrics/significance.ts";
import type { BlobStore, Clock, EventPublisher, Logger, PipelineRepository, QueryPair } from "../ports.ts";
import type { QuerySetEvaluation, RunReport } from "../report/report.ts";
import { renderReportHtml } from "../report/render-html.ts";
import { loadCorpusPassages, readJsonLines } from "./load-passages.ts";

/** Ranks documents for a query (top 100, passage hits collapsed by the caller or not). */
export type Ranker = (query: string) => Promise<ScoredDocument[]>;

export interface EvaluateDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  clock: Clock;
  logger: Logger;
  /** The systems to compare for a run's index version; must include `bm25` and the serving mode. */
  systems(run: Run, indexVersion: string): Promise<Record<string, Ranker>>;
  /** The currently serving index's ranker (serving mode), or null when nothing serves yet. */
  servingRanker(corpus: string, exceptIndexVersion: string): Promise<{ name: string; rank: Ranker } | null>;
  extras?(run: Run, heldoutQuery: string | null): Promise<Pick<RunReport, "projection" | "modelCard"> & { facts?: Record<string, string | number> }>;
  /** The mode that serves searches (hybrid by default) and the gain it needs over the baseline. */
  gate: { servingMode: string; minGain: number };
  /** At most this many held-out queries are scored (an evenly spaced, deterministic sample). */
  maxHeldoutQueries?: number;
}

/** An evenly spaced sample of at most `max` items, in order. */
function sample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/** Held-out synthetic queries grouped by text: every passage a query was made from is relevant. */
function heldoutQueries(pairs: QueryPair[], documentOf: Map<string, string>): JudgedQuery[] {
  const byText = new Map<string, JudgedQuery>();
  for (const p of pairs) {
    const doc = documentOf.get(p.passageId);
    if (!doc) continue;
    let q = byText.get(p.query);
    if (!q) byText.set(p.query, (q = { id: `h${byText.size + 1}`, text: p.query, judgments: new Map() }));
    q.judgments.set(doc, 1);
  }
  return [...byText.values()];
}

/** Score every system on one set of judged queries: metrics, recall curves, significance, wins and losses. */
export async function evaluateQuerySet(name: string, source: QuerySetEvaluation["source"], queries: JudgedQuery[], systems: Record<string, Ranker>, servingMode: string): Promise<QuerySetEvaluation> {
  const perSystem: Record<string, { metrics: ReturnType<typeof queryMetrics>[]; curves: number[][] }> = {};
  for (const [system, rank] of Object.entries(systems)) {
    const metrics = [];
    const curves = [];
    for (const q of queries) {
      const ranking = rankDocuments(await rank(q.text));
      metrics.push(queryMetrics(ranking, q.judgments));
      curves.push(Array.from({ length: 100 }, (_, k) => recallAt(ranking, q.judgments, k + 1)));
    }
    perSystem[system] = { metrics, curves };
  }
  const systemsOut: QuerySetEvaluation["systems"] = {};
  for (const [system, r] of Object.entries(perSystem)) {
    systemsOut[system] = {
      metrics: meanMetrics(r.metrics),
      recallCurve: Array.from({ length: 100 }, (_, k) => r.curves.reduce((s, c) => s + c[k]!, 0) / Math.max(1, r.curves.length)),
    };
  }
  const ndcg = (system: string) => perSystem[system]?.metrics.map((m) => m["ndcg@10"]) ?? [];
  const significance = ["tuned", servingMode].filter((s, i, a) => perSystem[s] && s !== "bm25" && a.indexOf(s) === i).map((system) => ({ system, against: "bm25", ...pairedRandomisationTest(ndcg(system), ndcg("bm25")) }));
  const outcomes = queries.map((q, i) => ({ id: q.id, query: q.text, ndcg: Object.fromEntries(Object.keys(perSystem).map((s) => [s, perSystem[s]!.metrics[i]!["ndcg@10"]])) }));
  const delta = (o: (typeof outcomes)[number]) => (o.ndcg[servingMode] ?? 0) - (o.ndcg.bm25 ?? 0);
  const sorted = [...outcomes].sort((a, b) => delta(b) - delta(a));
  return {
    name,
    source,
    queries: queries.length,
    systems: systemsOut,
    significance,
    wins: sorted.filter((o) => delta(o) > 0).slice(0, 10),
    losses: sorted.filter((o) => delta(o) < 0).reverse().slice(0, 10),
  };
}

/**
 * The evaluation stage: score BM25, base, tuned and hybrid (and any extra system) on the run's held-out
 * synthetic queries and on the corpus's real judgments if it has any; test significance; apply the
 * quality gate (the serving mode must match or beat what serves now, or BM25 on a first run, on the
 * held-out queries); write `report.json` and `report.html`; announce `evaluation.completed`.
 */
export async function evaluateRun(deps: EvaluateDeps, input: { runId: string; indexVersion: string }): Promise<RunReport> {
  const run = await deps.repo.getRun(input.runId);
  if (!run) throw new Error(`run ${input.runId} not found`);
  const passages = await loadCorpusPassages(deps, run.corpus);
  const documentOf = new Map(passages.map((p) => [p.id, p.documentId]));
  const allHeldout = heldoutQueries(run.artifacts.heldoutKey ? await readJsonLines<QueryPair>(deps.blobs, run.artifacts.heldoutKey) : [], documentOf);
  const heldout = sample(allHeldout, deps.maxHeldoutQueries ?? 1000);
  const systems = await deps.systems(run, input.indexVersion);
  const mode = deps.gate.servingMode;
  const evaluations = [await evaluateQuerySet("held-out synthetic queries", "held-out synthetic", heldout, systems, mode)];

  const judged = await userJudgments(deps, run.corpus, new Set(documentOf.values()));
  if (judged) evaluations.push(await evaluateQuerySet("your judged queries", "user judgments", judged, systems, mode));

  const serving = await deps.servingRanker(run.corpus, input.indexVersion);
  const held = evaluations[0]!;
  const score = held.systems[mode]?.metrics["ndcg@10"] ?? 0;
  let baseline = held.systems.bm25?.metrics["ndcg@10"] ?? 0;
  let comparedTo = "bm25";
  if (serving) {
    baseline = (await evaluateQuerySet("serving", "held-out synthetic", heldout, { serving: serving.rank }, "serving")).systems.serving!.metrics["ndcg@10"];
    comparedTo = `serving index (${serving.name})`;
  }
  const promote = heldout.length === 0 ? !serving : score >= baseline + deps.gate.minGain;
  const fmt = (x: number) => x.toFixed(3);
  const reason = heldout.length === 0
    ? (promote ? "no held-out queries to judge by; promoted as the first index" : "no held-out queries to judge by; the serving index stays")
    : promote
      ? `${mode} nDCG@10 ${fmt(score)} ≥ ${comparedTo} ${fmt(baseline)}${deps.gate.minGain ? ` + ${deps.gate.minGain}` : ""} on ${heldout.length} held-out queries`
      : `${mode} nDCG@10 ${fmt(score)} is below ${comparedTo} ${fmt(baseline)}${deps.gate.minGain ? ` + ${deps.gate.minGain}` : ""} on ${heldout.length} held-out queries: the ${serving ? "serving index keeps serving" : "index is not promoted"}`;

  const extras = deps.extras ? await deps.extras(run, heldout[0]?.text ?? null) : { projection: null, modelCard: null };
  const docs = await deps.repo.listDocuments(run.corpus);
  const report: RunReport = {
    runId: run.id,
    corpus: run.corpus,
    createdAt: deps.clock.now().toISOString(),
    servingMode: mode,
    facts: {
      documents: docs.reduce((n, d) => n + (d.status === "chunked" ? d.documentCount : 0), 0),
      passages: passages.length,
      "held-out queries": heldout.length < allHeldout.length ? `${heldout.length} (a sample of ${allHeldout.length})` : heldout.length,
      "judged queries": judged?.length ?? 0,
      ...(extras.facts ?? {}),
    },
    evaluations,
    gate: { promote, reason, comparedTo, score, baseline },
    projection: extras.projection,
    modelCard: extras.modelCard,
  };
  const reportKey = keys.report(run.corpus, run.id, "json");
  await deps.blobs.put(keys.report(run.corpus, run.id, "html"), renderReportHtml(report));
  await deps.blobs.put(reportKey, JSON.stringify(report, null, 2));
  await deps.events.publish([{ id: `evaluation.completed:${run.id}`, type: "evaluation.completed", corpus: run.corpus, detail: { runId: run.id, reportKey, promote, reason } }]);
  return report;
}

async function userJudgments(deps: EvaluateDeps, corpus: string, documents: Set<string>): Promise<JudgedQuery[] | null> {
  const prefix = keys.judgments(corpus);
  if (!(await deps.blobs.head(`${prefix}queries.jsonl`)) || !(await deps.blobs.head(`${prefix}qrels.tsv`))) return null;
  const text = async (k: string) => new TextDecoder().decode(await deps.blobs.get(k));
  return parseJudgments(await text(`${prefix}queries.jsonl`), await text(`${prefix}qrels.tsv`), documents);
}
