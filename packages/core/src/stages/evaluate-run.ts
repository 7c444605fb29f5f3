import { keys, type Run, type ServingSetup } from "../domain.ts";
import { NotFoundError } from "../errors.ts";
import { bootstrapDifference, bootstrapMean } from "../metrics/bootstrap.ts";
import { parseJudgments, type JudgedQuery } from "../metrics/judgments.ts";
import { METRIC_NAMES, meanMetrics, queryMetrics, rankDocuments, recallAt } from "../metrics/retrieval.ts";
import { pairedRandomisationTest } from "../metrics/significance.ts";
import { eventIds } from "../pipeline/names.ts";
import { createTimeSlicer } from "../pipeline/time-slice.ts";
import type { CoreDeps, BlobStore, Encoder, EventPublisher, QueryPair, SearchHit, SearchIndex } from "../ports.ts";
import type { QuerySetEvaluation, RunReport, SetupCalibration } from "../report/report.ts";
import { resultFiles, type QuerySetResults } from "../report/export.ts";
import { buildQueryDetails } from "../report/query-details.ts";
import { renderReportHtml } from "../report/render-html.ts";
import { loadCorpusPassages, readJsonLines } from "../usecases/load-passages.ts";
import { chooseServingSetup, type GateDecision } from "./gate.ts";
import { evenSample, groupHeldout, splitValidationTest, type HeldoutCleaner } from "./heldout-queries.ts";
import type { Ranker } from "./rankers.ts";
import { SYSTEM_OF_SETUP, calibrateSetups, servingSystem, setupSystems } from "./setup-systems.ts";

/** What a runtime adds to an evaluation beyond what every runtime has. */
export interface EvaluationHooks {
  /** The untrained TF-IDF signal over an index version (the local runtime has one). */
  sparse?: (version: string, query: string, k: number) => Promise<SearchHit[]>;
  /** Further systems to compare (the local runtime adds the untrained base model). */
  extraSystems?(run: Run, indexVersion: string): Promise<Record<string, Ranker>>;
  /** Cleans the held-out queries (drops generic and duplicated ones) before they judge anything. */
  cleanHeldout?: HeldoutCleaner;
  /** The report's embedding projection, model card and extra facts. */
  reportExtras?(
    run: Run,
    heldoutQuery: string | null,
  ): Promise<Pick<RunReport, "projection" | "modelCard"> & { facts?: Record<string, string | number> }>;
  /** At most this many held-out queries are scored (an evenly spaced, deterministic sample). */
  maxHeldoutQueries?: number;
}

export interface EvaluateDeps extends CoreDeps {
  index: SearchIndex;
  encoderFor(modelId: string): Promise<Encoder>;
  /** The gain over the serving index a later run must show (0: not significantly worse is enough). */
  gate: { minGain: number };
  evaluation?: EvaluationHooks;
}

/** The setup a corpus's search serves in when a request names no mode, before any run chose one. */
export const SERVING_MODE = "hybrid";

/**
 * Score every system on one set of judged queries: metrics with bootstrap intervals, recall curves (with
 * intervals at a few k), wins and losses against BM25, the ablation (hybrid vs hybrid without the tuned
 * model), the paired significance of each named comparison, the bounded per-query drill-down, and the
 * full rankings for the exports. Every system is scored on the same queries.
 */
export async function evaluateQuerySet(
  name: string,
  source: QuerySetEvaluation["source"],
  queries: JudgedQuery[],
  systems: Record<string, Ranker>,
  comparisons: ReadonlyArray<{ system: string; against: string }>,
  highlight: string,
  slug?: string,
): Promise<QuerySetEvaluation & { perQuery: Record<string, number[]>; results: QuerySetResults }> {
  const slice = createTimeSlicer();
  const perSystem: Record<
    string,
    { metrics: ReturnType<typeof queryMetrics>[]; curves: number[][]; rankings: string[][] }
  > = {};
  for (const [system, rank] of Object.entries(systems)) {
    const metrics = [];
    const curves = [];
    const rankings = [];
    for (const q of queries) {
      await slice();
      const ranking = rankDocuments(await rank(q.text)).slice(0, 100);
      metrics.push(queryMetrics(ranking, q.judgments));
      curves.push(Array.from({ length: 100 }, (_, k) => recallAt(ranking, q.judgments, k + 1)));
      rankings.push(ranking);
    }
    perSystem[system] = { metrics, curves, rankings };
  }
  const perQuery = Object.fromEntries(
    Object.entries(perSystem).map(([s, r]) => [s, r.metrics.map((m) => m["ndcg@10"])]),
  );
  const systemsOut: QuerySetEvaluation["systems"] = {};
  for (const [system, r] of Object.entries(perSystem)) {
    await slice();
    const intervals = Object.fromEntries(METRIC_NAMES.map((m) => [m, bootstrapMean(r.metrics.map((x) => x[m]))]));
    systemsOut[system] = {
      metrics: meanMetrics(r.metrics),
      ndcgInterval: intervals["ndcg@10"],
      intervals,
      recallCurve: Array.from(
        { length: 100 },
        (_, k) => r.curves.reduce((s, c) => s + c[k]!, 0) / Math.max(1, r.curves.length),
      ),
      recallIntervals: RECALL_INTERVAL_KS.map((k) => {
        const i = bootstrapMean(
          r.curves.map((c) => c[k - 1]!),
          { rounds: 1000 },
        );
        return { k, low: i.low, high: i.high };
      }),
    };
  }
  const significance = comparisons
    .filter(
      (c, i) =>
        perSystem[c.system] &&
        perSystem[c.against] &&
        c.system !== c.against &&
        comparisons.findIndex((o) => o.system === c.system && o.against === c.against) === i,
    )
    .map((c) => ({ ...c, ...pairedRandomisationTest(perQuery[c.system]!, perQuery[c.against]!) }));
  const ablation =
    perQuery.hybrid && perQuery["hybrid-untuned"]
      ? {
          system: "hybrid",
          without: "hybrid-untuned",
          difference: bootstrapDifference(perQuery.hybrid, perQuery["hybrid-untuned"]),
        }
      : undefined;
  const outcomes = queries.map((q, i) => ({
    id: q.id,
    query: q.text,
    ndcg: Object.fromEntries(Object.keys(perSystem).map((s) => [s, perQuery[s]![i]!])),
  }));
  const delta = (o: (typeof outcomes)[number]) => (o.ndcg[highlight] ?? 0) - (o.ndcg.bm25 ?? 0);
  const sorted = [...outcomes].sort((a, b) => delta(b) - delta(a));
  const rankings = Object.fromEntries(Object.entries(perSystem).map(([s, r]) => [s, r.rankings]));
  const metrics = Object.fromEntries(Object.entries(perSystem).map(([s, r]) => [s, r.metrics]));
  return {
    ...(slug ? { slug } : {}),
    name,
    source,
    queries: queries.length,
    systems: systemsOut,
    significance,
    ...(ablation ? { ablation } : {}),
    wins: sorted.filter((o) => delta(o) > 0).slice(0, 10),
    losses: sorted
      .filter((o) => delta(o) < 0)
      .reverse()
      .slice(0, 10),
    details: buildQueryDetails(queries, rankings, metrics),
    perQuery,
    results: { slug: slug ?? "queries", queries, rankings, metrics },
  };
}

/** The k at which recall curves carry bootstrap intervals (the chart's error bars). */
const RECALL_INTERVAL_KS = [1, 5, 10, 20, 50, 100];

const withoutPerQuery = ({
  perQuery: _,
  results: __,
  ...evaluation
}: QuerySetEvaluation & { perQuery: unknown; results: unknown }): QuerySetEvaluation => evaluation;

/**
 * The evaluation stage. The run's held-out synthetic queries are cleaned, sampled and split in two: on
 * the validation half every serving setup (BM25, the tuned model, hybrid without and with the tuned
 * model) gets its fusion weights calibrated; on the test half every system is scored — next to the index
 * that serves now, on the same queries — and the quality gate chooses the setup that serves. The corpus's
 * real judgments, if any, are scored too (never used to choose). Writes `report.json` and `report.html`
 * and announces `evaluation.completed` with the verdict and the chosen setup.
 */
export async function evaluateRun(
  deps: EvaluateDeps,
  input: { runId: string; indexVersion: string; modelId: string },
): Promise<RunReport> {
  const run = await deps.repo.getRun(input.runId);
  if (!run) throw new NotFoundError(`run ${input.runId} not found`);
  const hooks = deps.evaluation ?? {};
  const systemDeps = { ...deps, sparse: hooks.sparse, extraSystems: hooks.extraSystems };
  const passages = await loadCorpusPassages(deps, run.corpus);
  const documentOf = new Map(passages.map((p) => [p.id, p.documentId]));
  const generatedPairs = run.artifacts.heldoutKey
    ? await readJsonLines<QueryPair>(deps.blobs, run.artifacts.heldoutKey)
    : [];
  const cleaned = hooks.cleanHeldout
    ? await hooks.cleanHeldout(generatedPairs, {
        population: [...generatedPairs, ...(await runPairs(deps.blobs, run))],
        documentOf: (id) => documentOf.get(id),
      })
    : { kept: generatedPairs, dropped: {} };
  const generated = new Set(generatedPairs.map((p) => p.query)).size;
  const heldout = evenSample(groupHeldout(cleaned.kept, documentOf), hooks.maxHeldoutQueries ?? 1000);
  const { validation, test } = splitValidationTest(heldout);

  const { signals } = await setupSystems(systemDeps, run, { ...input, setups: [] });
  const calibrated = await calibrateSetups(signals, validation, Boolean(hooks.sparse));
  const { systems } = await setupSystems(systemDeps, run, { ...input, setups: calibrated });
  const corpus = await deps.repo.getCorpus(run.corpus);
  const serving = await servingSystem(
    { ...systemDeps, repo: deps.repo },
    { corpus: run.corpus, except: input.indexVersion, setup: corpus?.servingSetup ?? null },
  );
  if (serving) systems.serving = serving.rank;
  const baselineName = serving ? "serving" : "bm25";
  const comparisons = [
    { system: "tuned", against: "bm25" },
    { system: "hybrid", against: "bm25" },
    { system: "hybrid", against: "hybrid-untuned" },
    { system: "hybrid", against: baselineName },
  ];

  const held = await evaluateQuerySet(
    "held-out synthetic queries (test split)",
    "held-out synthetic",
    test,
    systems,
    comparisons,
    "hybrid",
    "heldout-test",
  );
  const judged = await userJudgments(deps, run.corpus, new Set(documentOf.values()));
  const judgedScores = judged
    ? await evaluateQuerySet("your judged queries", "user judgments", judged, systems, comparisons, "hybrid", "judged")
    : null;

  const calibration: SetupCalibration[] = calibrated.map((c) => ({
    ...c,
    testNdcg: held.systems[SYSTEM_OF_SETUP[c.setup.name]]?.metrics["ndcg@10"] ?? 0,
  }));
  const hybrid = calibrated.find((c) => c.setup.name === "hybrid")!.setup;
  const gate: RunReport["gate"] & { setup: ServingSetup } = test.length
    ? decide(deps, held, calibrated, serving ? `serving index (${serving.version})` : null)
    : {
        promote: !serving,
        setup: hybrid,
        comparedTo: serving ? "serving index" : "bm25",
        score: 0,
        baseline: 0,
        pValue: 1,
        reason: serving
          ? "no held-out queries to judge by; the serving index keeps serving"
          : "no held-out queries to judge by; hybrid serves this first index",
      };

  const extras = hooks.reportExtras
    ? await hooks.reportExtras(run, heldout[0]?.text ?? null)
    : { projection: null, modelCard: null };
  const docs = await deps.repo.listDocuments(run.corpus);
  const report: RunReport = {
    runId: run.id,
    corpus: run.corpus,
    createdAt: deps.clock.now().toISOString(),
    servingMode: gate.setup.name,
    facts: {
      documents: docs.reduce((n, d) => n + (d.status === "chunked" ? d.documentCount : 0), 0),
      passages: passages.length,
      "held-out queries": `${heldout.length} scored (${validation.length} validation, ${test.length} test) of ${generated} generated`,
      "judged queries": judged?.length ?? 0,
      ...(extras.facts ?? {}),
    },
    heldout: {
      generated,
      dropped: cleaned.dropped,
      scored: heldout.length,
      validation: validation.length,
      test: test.length,
    },
    calibration,
    evaluations: [withoutPerQuery(held), ...(judgedScores ? [withoutPerQuery(judgedScores)] : [])],
    gate,
    projection: extras.projection,
    modelCard: extras.modelCard
      ? { ...extras.modelCard, servingSetup: gate.setup, calibration }
      : { servingSetup: gate.setup, calibration },
    exports: [],
  };
  for (const set of [held, ...(judgedScores ? [judgedScores] : [])]) {
    for (const { content, ...file } of resultFiles(set.results)) {
      await deps.blobs.put(keys.result(run.corpus, run.id, file.file), content);
      report.exports!.push(file);
    }
  }
  await deps.blobs.put(keys.report(run.corpus, run.id, "html"), renderReportHtml(report, { exportLinks: true }));
  // report.json is written last: its presence marks a finished evaluation (a re-issued stage reads it).
  const reportKey = keys.report(run.corpus, run.id, "json");
  // Compact: the drill-down is mostly numbers, which indentation would triple.
  await deps.blobs.put(reportKey, JSON.stringify(report));
  await announceEvaluation(deps, run, reportKey, report.gate);
  return report;
}

/** The gate over the test split: every calibrated setup against the run's own BM25 and the serving index (if any). */
function decide(
  deps: EvaluateDeps,
  held: { queries: number; perQuery: Record<string, number[]> },
  calibrated: ReadonlyArray<{ setup: ServingSetup }>,
  serving: string | null,
): GateDecision {
  const candidates = calibrated
    .filter((c) => held.perQuery[SYSTEM_OF_SETUP[c.setup.name]])
    .map((c) => ({ setup: c.setup, perQuery: held.perQuery[SYSTEM_OF_SETUP[c.setup.name]]! }));
  return chooseServingSetup({
    candidates,
    bm25: held.perQuery.bm25 ?? [],
    serving: serving ? { name: serving, perQuery: held.perQuery.serving ?? [] } : null,
    minGain: deps.gate.minGain,
    queries: held.queries,
  });
}

/** Announce a finished evaluation (idempotent: the same run always announces the same event). */
export async function announceEvaluation(
  deps: { events: EventPublisher },
  run: Pick<Run, "id" | "corpus">,
  reportKey: string,
  gate: RunReport["gate"],
): Promise<void> {
  await deps.events.publish([
    {
      id: eventIds.evaluationCompleted(run.id),
      type: "evaluation.completed",
      corpus: run.corpus,
      detail: {
        runId: run.id,
        reportKey,
        promote: gate.promote,
        reason: gate.reason,
        ...(gate.promote && gate.setup ? { setup: gate.setup } : {}),
      },
    },
  ]);
}

/** Every training pair of a run (one file locally, one part per transform output on AWS), query and passage only. */
async function runPairs(blobs: BlobStore, run: Run): Promise<QueryPair[]> {
  const out: QueryPair[] = [];
  for (const { key } of await blobs.list(`${keys.run(run.corpus, run.id)}pairs/`)) {
    for (const p of await readJsonLines<QueryPair>(blobs, key)) out.push({ query: p.query, passageId: p.passageId });
  }
  return out;
}

async function userJudgments(
  deps: EvaluateDeps,
  corpus: string,
  documents: Set<string>,
): Promise<JudgedQuery[] | null> {
  const prefix = keys.judgments(corpus);
  if (!(await deps.blobs.head(`${prefix}queries.jsonl`)) || !(await deps.blobs.head(`${prefix}qrels.tsv`))) return null;
  const text = async (k: string) => new TextDecoder().decode(await deps.blobs.get(k));
  // Judgments were checked when stored; a document deleted since cannot be found, so its judgments go.
  const gone = new Set<string>();
  const judged = parseJudgments(await text(`${prefix}queries.jsonl`), await text(`${prefix}qrels.tsv`), documents, {
    onUnknownDocument: (d) => gone.add(d),
  });
  if (gone.size)
    deps.logger.warn("judgments of documents no longer in the corpus skipped", {
      corpus,
      documents: [...gone].slice(0, 20),
      count: gone.size,
    });
  return judged.length ? judged : null;
}
