import { keys, type Run } from "../domain.ts";
import { NotFoundError } from "../errors.ts";
import { parseJudgments, type JudgedQuery } from "../metrics/judgments.ts";
import { meanMetrics, queryMetrics, rankDocuments, recallAt } from "../metrics/retrieval.ts";
import { pairedRandomisationTest } from "../metrics/significance.ts";
import { eventIds } from "../pipeline/names.ts";
import type { BlobStore, Clock, Encoder, EventPublisher, Logger, PipelineRepository, QueryPair, SearchIndex } from "../ports.ts";
import type { QuerySetEvaluation, RunReport } from "../report/report.ts";
import { renderReportHtml } from "../report/render-html.ts";
import { loadCorpusPassages, readJsonLines } from "../usecases/load-passages.ts";
import { candidateSystems, servingRanker, type Ranker } from "./rankers.ts";

/** What a runtime adds to an evaluation beyond the systems every runtime has. */
export interface EvaluationHooks {
  /** Further systems to compare (the local runtime adds the untrained TF-IDF signal and the base model). */
  extraSystems?(run: Run, indexVersion: string): Promise<Record<string, Ranker>>;
  /** The report's embedding projection, model card and extra facts. */
  reportExtras?(run: Run, heldoutQuery: string | null): Promise<Pick<RunReport, "projection" | "modelCard"> & { facts?: Record<string, string | number> }>;
  /** At most this many held-out queries are scored (an evenly spaced, deterministic sample). */
  maxHeldoutQueries?: number;
}

export interface EvaluateDeps {
  repo: PipelineRepository;
  blobs: BlobStore;
  events: EventPublisher;
  index: SearchIndex;
  clock: Clock;
  logger: Logger;
  encoderFor(modelId: string): Promise<Encoder>;
  /** The gain the serving mode needs over the baseline to be promoted. */
  gate: { minGain: number };
  evaluation?: EvaluationHooks;
}

/** The search mode that serves a promoted index. */
export const SERVING_MODE = "hybrid";

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

/**
 * Score every system on one set of judged queries: metrics, recall curves, wins and losses, and paired
 * significance of each named comparison. Every system is scored on the same queries, so every paired
 * comparison is well-defined.
 */
export async function evaluateQuerySet(
  name: string,
  source: QuerySetEvaluation["source"],
  queries: JudgedQuery[],
  systems: Record<string, Ranker>,
  comparisons: ReadonlyArray<{ system: string; against: string }>,
  servingMode: string,
): Promise<QuerySetEvaluation> {
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
  const ndcg = (system: string) => perSystem[system]!.metrics.map((m) => m["ndcg@10"]);
  const significance = comparisons
    .filter((c, i) => perSystem[c.system] && perSystem[c.against] && c.system !== c.against && comparisons.findIndex((o) => o.system === c.system && o.against === c.against) === i)
    .map((c) => ({ ...c, ...pairedRandomisationTest(ndcg(c.system), ndcg(c.against)) }));
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
 * The systems a run's index version is compared as, in report order: BM25, the runtime's extra systems,
 * the tuned model alone, hybrid.
 */
export async function runSystems(deps: Pick<EvaluateDeps, "index" | "encoderFor" | "evaluation">, run: Run, indexVersion: string, modelId: string): Promise<Record<string, Ranker>> {
  const candidate = candidateSystems(deps.index, run.corpus, indexVersion, await deps.encoderFor(modelId));
  const extra = (await deps.evaluation?.extraSystems?.(run, indexVersion)) ?? {};
  return { bm25: candidate.bm25!, ...extra, tuned: candidate.tuned!, hybrid: candidate.hybrid! };
}

/**
 * The evaluation stage: score BM25, the tuned model, hybrid (and the runtime's extra systems) on the
 * run's held-out synthetic queries and on the corpus's real judgments if it has any, next to the index
 * that serves now (if any), all on the same queries; apply the quality gate (the serving mode must match
 * or beat what serves now, or BM25 on a first run, on the held-out queries); write `report.json` and
 * `report.html`; announce `evaluation.completed`.
 */
export async function evaluateRun(deps: EvaluateDeps, input: { runId: string; indexVersion: string; modelId: string }): Promise<RunReport> {
  const run = await deps.repo.getRun(input.runId);
  if (!run) throw new NotFoundError(`run ${input.runId} not found`);
  const hooks = deps.evaluation ?? {};
  const passages = await loadCorpusPassages(deps, run.corpus);
  const documentOf = new Map(passages.map((p) => [p.id, p.documentId]));
  const allHeldout = heldoutQueries(run.artifacts.heldoutKey ? await readJsonLines<QueryPair>(deps.blobs, run.artifacts.heldoutKey) : [], documentOf);
  const heldout = sample(allHeldout, hooks.maxHeldoutQueries ?? 1000);

  const systems = await runSystems(deps, run, input.indexVersion, input.modelId);
  const serving = await servingRanker(deps, run.corpus, input.indexVersion, SERVING_MODE);
  if (serving) systems.serving = serving.rank;
  const baselineName = serving ? "serving" : "bm25";
  const comparisons = [
    { system: "tuned", against: "bm25" },
    { system: SERVING_MODE, against: "bm25" },
    { system: SERVING_MODE, against: baselineName },
  ];

  const evaluations = [await evaluateQuerySet("held-out synthetic queries", "held-out synthetic", heldout, systems, comparisons, SERVING_MODE)];
  const judged = await userJudgments(deps, run.corpus, new Set(documentOf.values()));
  if (judged) evaluations.push(await evaluateQuerySet("your judged queries", "user judgments", judged, systems, comparisons, SERVING_MODE));

  const held = evaluations[0]!;
  const score = held.systems[SERVING_MODE]?.metrics["ndcg@10"] ?? 0;
  const baseline = held.systems[baselineName]?.metrics["ndcg@10"] ?? 0;
  const comparedTo = serving ? `serving index (${serving.version})` : "bm25";
  const promote = heldout.length === 0 ? !serving : score >= baseline + deps.gate.minGain;
  const fmt = (x: number) => x.toFixed(3);
  const margin = deps.gate.minGain ? ` + ${deps.gate.minGain}` : "";
  const reason =
    heldout.length === 0
      ? promote
        ? "no held-out queries to judge by; promoted as the first index"
        : "no held-out queries to judge by; the serving index stays"
      : promote
        ? `${SERVING_MODE} nDCG@10 ${fmt(score)} ≥ ${comparedTo} ${fmt(baseline)}${margin} on ${heldout.length} held-out queries`
        : `${SERVING_MODE} nDCG@10 ${fmt(score)} is below ${comparedTo} ${fmt(baseline)}${margin} on ${heldout.length} held-out queries: the ${serving ? "serving index keeps serving" : "index is not promoted"}`;

  const extras = hooks.reportExtras ? await hooks.reportExtras(run, heldout[0]?.text ?? null) : { projection: null, modelCard: null };
  const docs = await deps.repo.listDocuments(run.corpus);
  const report: RunReport = {
    runId: run.id,
    corpus: run.corpus,
    createdAt: deps.clock.now().toISOString(),
    servingMode: SERVING_MODE,
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
  await deps.blobs.put(keys.report(run.corpus, run.id, "html"), renderReportHtml(report));
  // report.json is written last: its presence marks a finished evaluation (a re-issued stage reads it).
  const reportKey = keys.report(run.corpus, run.id, "json");
  await deps.blobs.put(reportKey, JSON.stringify(report, null, 2));
  await announceEvaluation(deps, run, reportKey, report.gate);
  return report;
}

/** Announce a finished evaluation (idempotent: the same run always announces the same event). */
export async function announceEvaluation(deps: { events: EventPublisher }, run: Pick<Run, "id" | "corpus">, reportKey: string, gate: RunReport["gate"]): Promise<void> {
  await deps.events.publish([
    { id: eventIds.evaluationCompleted(run.id), type: "evaluation.completed", corpus: run.corpus, detail: { runId: run.id, reportKey, promote: gate.promote, reason: gate.reason } },
  ]);
}

async function userJudgments(deps: EvaluateDeps, corpus: string, documents: Set<string>): Promise<JudgedQuery[] | null> {
  const prefix = keys.judgments(corpus);
  if (!(await deps.blobs.head(`${prefix}queries.jsonl`)) || !(await deps.blobs.head(`${prefix}qrels.tsv`))) return null;
  const text = async (k: string) => new TextDecoder().decode(await deps.blobs.get(k));
  return parseJudgments(await text(`${prefix}queries.jsonl`), await text(`${prefix}qrels.tsv`), documents);
}
