/**
 * What users get on each development collection: the whole local product path — `genq run` on the
 * collection's corpus (ingest → generate → train → index → evaluate, the gate choosing the serving setup
 * and its weights) — then the collection's real questions scored on the run's index: the served setup,
 * BM25, hybrid without the tuned model and hybrid (each with the weights the run calibrated), on the
 * validation and test halves, and whether the served setup is significantly below BM25 on all of a
 * collection's questions (paired randomisation test, p < 0.05). Never debfaq's own questions.
 * Run: npm run bench:dev-product       (COLLECTIONS=sqlite,git to narrow; KEEP=1 keeps the data folders)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SYSTEM_OF_SETUP,
  evaluateQuerySet,
  pairedRandomisationTest,
  setupSystems,
  type JudgedQuery,
  type RunReport,
} from "@genq/core";
import { loadConfig } from "../packages/cli/src/config.ts";
import { createLocalDeps } from "../packages/cli/src/local-deps.ts";
import { runPipeline } from "../packages/cli/src/run-command.ts";
import { DEV_COLLECTIONS, loadDevCollection, splitOf } from "./lib/dev-collections.ts";

const SYSTEMS = ["bm25", "tfidf", "tuned", "hybrid-untuned", "hybrid"] as const;
type Split = "validation" | "test";
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const names = (process.env.COLLECTIONS ?? DEV_COLLECTIONS.join(",")).split(",");

interface Row {
  collection: string;
  setup: string;
  weights: string;
  reason: string;
  seconds: number;
  ndcg: Record<string, Record<Split, number>>;
  servedVsBm25: { difference: number; pValue: number; queries: number };
}
const rows: Row[] = [];
for (const name of names) {
  const c = loadDevCollection(name);
  const data = mkdtempSync(join(tmpdir(), `genq-dev-${name}-`));
  const corpusFile = join(data, "corpus.jsonl");
  writeFileSync(
    corpusFile,
    c.docs.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join("\n") + "\n",
  );
  const deps = createLocalDeps(loadConfig({ ...process.env, GENQ_LOG_LEVEL: "silent" }, { data: join(data, "genq") }));
  const t0 = performance.now();
  const outcome = await runPipeline(deps, { docs: corpusFile, corpus: name, quiet: true }, () => {});
  const seconds = (performance.now() - t0) / 1000;
  const run = outcome.run;
  if (run.state !== "ready")
    throw new Error(`${name}: the run ended ${run.state} (${run.reason}); a first run must always serve`);
  const report = outcome.report as RunReport;
  const setup = report.gate.setup!;
  const { systems } = await setupSystems(deps.pipeline.evaluationDeps, run, {
    indexVersion: run.artifacts.indexVersion!,
    modelId: run.artifacts.modelId!,
    setups: report.calibration ?? [],
  });
  const judged: JudgedQuery[] = c.queries.map((q) => ({ id: q.id, text: q.text, judgments: c.qrels.get(q.id)! }));
  const scored = await evaluateQuerySet("real questions", "user judgments", judged, systems, [], "hybrid");
  const served = SYSTEM_OF_SETUP[setup.name];
  const ndcg: Row["ndcg"] = {};
  for (const s of [...SYSTEMS, "served"]) {
    const per = scored.perQuery[s === "served" ? served : s]!;
    ndcg[s] = {
      validation: mean(per.filter((_, i) => splitOf(judged[i]!.id) === "validation")),
      test: mean(per.filter((_, i) => splitOf(judged[i]!.id) === "test")),
    };
  }
  const test = pairedRandomisationTest(scored.perQuery[served]!, scored.perQuery.bm25!);
  const w = setup.weights;
  rows.push({
    collection: name,
    setup: setup.name,
    weights: `${w.lexical}/${w.sparse}/${w.semantic}`,
    reason: report.gate.reason,
    seconds,
    ndcg,
    servedVsBm25: { difference: test.meanDifference, pValue: test.pValue, queries: judged.length },
  });
  console.log(
    `${name}: ${run.state} in ${seconds.toFixed(1)} s — serves ${setup.name} (${w.lexical}/${w.sparse}/${w.semantic}); ${report.gate.reason}`,
  );
  deps.close();
  if (!process.env.KEEP) rmSync(data, { recursive: true, force: true });
}

const f = (r: Record<Split, number>) => `${r.validation.toFixed(3)} / ${r.test.toFixed(3)}`;
console.log(
  `\n| collection | served setup (BM25 / TF-IDF / tuned weights) | served | ${SYSTEMS.join(" | ")} | served − BM25, all questions (p) |`,
);
console.log(`|---|---|---|${SYSTEMS.map(() => "---").join("|")}|---|`);
for (const r of rows) {
  const d = r.servedVsBm25;
  const flag = d.difference < 0 && d.pValue < 0.05 ? " **significantly below**" : "";
  console.log(
    `| ${r.collection} | ${r.setup} (${r.weights}) | ${f(r.ndcg.served!)} | ${SYSTEMS.map((s) => f(r.ndcg[s]!)).join(" | ")} | ${d.difference >= 0 ? "+" : ""}${d.difference.toFixed(3)} (${d.pValue.toFixed(3)})${flag} |`,
  );
}
const macro = (s: string, split: Split) => mean(rows.map((r) => r.ndcg[s]![split]));
const m = (s: string) => ({ validation: macro(s, "validation"), test: macro(s, "test") });
console.log(`| **mean** | | **${f(m("served"))}** | ${SYSTEMS.map((s) => f(m(s))).join(" | ")} | |`);
const ratio = (a: string, b: string) =>
  (["validation", "test"] as const).map((s) => (macro(a, s) / macro(b, s)).toFixed(2)).join(" / ");
console.log(
  `served / bm25: ${ratio("served", "bm25")}; hybrid / hybrid-untuned: ${ratio("hybrid", "hybrid-untuned")}; tuned / bm25: ${ratio("tuned", "bm25")}`,
);
console.log(`runs took ${rows.map((r) => `${r.collection} ${r.seconds.toFixed(0)} s`).join(", ")}`);
