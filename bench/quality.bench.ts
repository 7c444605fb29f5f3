/**
 * Quality on debfaq: the whole local pipeline on its corpus (synthetic queries only), then the real
 * questions scored once with `genq eval`'s code path: every system the report shows (each setup with the
 * weights the run calibrated on its own held-out queries), hybrid without the tuned model beside hybrid
 * (what the tuned model adds), and the setup the gate chose to serve. A rejected run is still scored.
 * Prints a markdown table for BENCHMARKS.md.
 * Run: npm run bench:quality   (reads the collection from ../shared/datasets/debfaq or GENQ_DEBFAQ)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
const outcome = await runPipeline(
  deps,
  { docs: join(DEBFAQ_DIR, "corpus.jsonl"), corpus: "debfaq", quiet: true },
  (l) => console.log(l),
);
const runSeconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
if (outcome.run.state !== "ready" && outcome.run.state !== "rejected")
  throw new Error(`run ended ${outcome.run.state}: ${outcome.run.reason}`);
if (outcome.run.state === "rejected")
  console.log(`note: the gate rejected this run (${outcome.run.reason}); its index is scored all the same`);

const t1 = performance.now();
const queries = join(DEBFAQ_DIR, "queries.jsonl");
const qrels = join(DEBFAQ_DIR, "qrels.tsv");
const result = await evaluateJudgments(deps, { corpus: "debfaq", queries, qrels, run: outcome.run.id });
const evalSeconds = (performance.now() - t1) / 1000;
const training = (
  outcome.report?.modelCard as {
    training?: { pairsPerSecond?: number; pairs?: number; inverseClozePairs?: number; seconds?: number };
  } | null
)?.training;

const rows = result.systems;
const bm25 = rows.bm25!["ndcg@10"];
console.log(`\n| system | nDCG@10 | MRR@10 | Recall@10 | Recall@100 | vs BM25 |\n|---|---|---|---|---|---|`);
for (const name of Object.keys(rows)) {
  const m = rows[name]!;
  console.log(
    `| ${name} | ${m["ndcg@10"].toFixed(3)} | ${m["mrr@10"].toFixed(3)} | ${m["recall@10"].toFixed(3)} | ${m["recall@100"].toFixed(3)} | ${(m["ndcg@10"] / bm25).toFixed(2)}× |`,
  );
}
const adds = rows.hybrid!["ndcg@10"] / rows["hybrid-untuned"]!["ndcg@10"] - 1;
console.log(
  `\ntuned model adds ${(adds * 100).toFixed(1)}% relative nDCG@10 to the hybrid without it (each with the weights the run calibrated)`,
);
console.log(
  `${result.queries} questions; run (ingest → generate → train → index → evaluate) ${runSeconds.toFixed(1)} s, eval ${evalSeconds.toFixed(1)} s, peak RSS of this process ${(peakRss / 2 ** 20).toFixed(0)} MiB (the trainer's worker thread included)`,
);
console.log(
  `training: ${training?.pairs} pairs + ${training?.inverseClozePairs ?? 0} inverse-cloze pairs per epoch in ${training?.seconds?.toFixed(1)} s = ${training?.pairsPerSecond?.toFixed(0)} pairs/s on one core (worker thread)`,
);
console.log(
  `served: ${result.served.setup} (${outcome.report?.gate.setup ? JSON.stringify(outcome.report.gate.setup.weights) : ""}), nDCG@10 ${result.served["ndcg@10"].toFixed(3)} = ${(result.served["ndcg@10"] / bm25).toFixed(2)}× BM25`,
);
console.log(
  `genq eval --json: ${JSON.stringify({ queries: result.queries, systems: result.systems, served: result.served })}`,
);
deps.close();
