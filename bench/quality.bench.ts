/**
 * Quality on debfaq: the whole local pipeline on its corpus (synthetic queries only), then the real
 * questions scored once with `genq eval`'s code path, plus the served hybrid without the tuned model
 * (BM25 + TF-IDF at the hybrid's own weights) to show what the tuned model adds. A run the quality gate
 * rejects is still scored (its index exists; it is only not promoted), and the bench says so.
 * Prints a markdown table for BENCHMARKS.md.
 * Run: npm run bench:quality   (reads the collection from ../shared/datasets/debfaq or GENQ_DEBFAQ)
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_HYBRID_WEIGHTS, evaluateQuerySet, loadCorpusPassages, parseJudgments } from "@genq/core";
import { createSqliteSearchIndex } from "@genq/local";
import { loadConfig } from "../packages/cli/src/config.ts";
import { evaluateJudgments } from "../packages/cli/src/eval-command.ts";
import { createLocalDeps } from "../packages/cli/src/local-deps.ts";
import { runPipeline } from "../packages/cli/src/run-command.ts";
import { DEBFAQ_DIR } from "./lib/debfaq.ts";

const data = mkdtempSync(join(tmpdir(), "genq-bench-quality-"));
const deps = createLocalDeps(loadConfig({ ...process.env, GENQ_LOG_LEVEL: "silent" }, { data }));
const t0 = performance.now();
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const outcome = await runPipeline(deps, { docs: join(DEBFAQ_DIR, "corpus.jsonl"), corpus: "debfaq", quiet: true }, (l) => console.log(l));
const runSeconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
if (outcome.run.state !== "ready" && outcome.run.state !== "rejected") throw new Error(`run ended ${outcome.run.state}: ${outcome.run.reason}`);
if (outcome.run.state === "rejected") console.log(`note: the gate rejected this run (${outcome.run.reason}); its index is scored all the same`);

const t1 = performance.now();
const queries = join(DEBFAQ_DIR, "queries.jsonl");
const qrels = join(DEBFAQ_DIR, "qrels.tsv");
const result = await evaluateJudgments(deps, { corpus: "debfaq", queries, qrels, run: outcome.run.id });
const evalSeconds = (performance.now() - t1) / 1000;
const training = (outcome.report?.modelCard as { training?: { pairsPerSecond?: number; pairs?: number; inverseClozePairs?: number; seconds?: number } } | null)?.training;

// The same served hybrid with the tuned model's weight set to zero: what the untrained signals give alone.
const version = outcome.run.artifacts.indexVersion!;
const { model } = await deps.stages.modelFor(outcome.run.artifacts.modelId!);
const untuned = createSqliteSearchIndex(deps.db, { weights: { ...DEFAULT_HYBRID_WEIGHTS, semantic: 0 } });
const documents = new Set((await loadCorpusPassages(deps, "debfaq")).map((p) => p.documentId));
const judged = parseJudgments(readFileSync(queries, "utf8"), readFileSync(qrels, "utf8"), documents);
const ablation = await evaluateQuerySet("judgments", "user judgments", judged, {
  "hybrid-untuned": async (q) => (await untuned.search({ corpus: "debfaq", version, query: q, vector: model.encode(q), k: 100, mode: "hybrid" })).map((h) => ({ documentId: h.passage.documentId, score: h.score })),
}, "hybrid");

const rows: Record<string, (typeof result.systems)["bm25"]> = { ...result.systems, ...result.extra, "hybrid-untuned": ablation.systems["hybrid-untuned"]!.metrics };
const bm25 = rows.bm25!["ndcg@10"];
console.log(`\n| system | nDCG@10 | MRR@10 | Recall@10 | Recall@100 | vs BM25 |\n|---|---|---|---|---|---|`);
for (const name of ["bm25", "tfidf", "base", "tuned", "hybrid-untuned", "hybrid"] as const) {
  const m = rows[name]!;
  console.log(`| ${name} | ${m["ndcg@10"].toFixed(3)} | ${m["mrr@10"].toFixed(3)} | ${m["recall@10"].toFixed(3)} | ${m["recall@100"].toFixed(3)} | ${(m["ndcg@10"] / bm25).toFixed(2)}× |`);
}
const adds = rows.hybrid!["ndcg@10"] / rows["hybrid-untuned"]!["ndcg@10"] - 1;
console.log(`\ntuned model adds ${(adds * 100).toFixed(1)}% relative nDCG@10 to the hybrid without it (weights ${JSON.stringify(DEFAULT_HYBRID_WEIGHTS)})`);
console.log(`${result.queries} questions; run (ingest → generate → train → index → evaluate) ${runSeconds.toFixed(1)} s, eval ${evalSeconds.toFixed(1)} s, peak RSS of this process ${(peakRss / 2 ** 20).toFixed(0)} MiB (the trainer's worker thread included)`);
console.log(`training: ${training?.pairs} pairs + ${training?.inverseClozePairs ?? 0} inverse-cloze pairs per epoch in ${training?.seconds?.toFixed(1)} s = ${training?.pairsPerSecond?.toFixed(0)} pairs/s on one core (worker thread)`);
console.log(`genq eval --json: ${JSON.stringify({ queries: result.queries, systems: result.systems })}`);
deps.close();
