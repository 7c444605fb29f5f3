/**
 * How genq's model settings are chosen: every setting tried is trained and scored on several
 * development collections with real questions (FAQs of Debian documentation packages over their
 * manuals; see lib/dev-collections.ts), plus the shipped PostgreSQL examples and debfaq's corpus with
 * held-out section headings as questions — never debfaq's own questions. Each collection's questions are
 * split in half: settings are compared on the validation half; the test half reports how the choice holds.
 *
 * Run: npm run bench:dev                       (every setting below, every collection)
 *      SETTINGS=default,wide npm run bench:dev  COLLECTIONS=sqlite,git
 * The first run downloads the Debian packages into bench/.cache (git-ignored).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MODEL_CONFIG, DEFAULT_QUERYGEN_OPTIONS, DEFAULT_TRAIN_OPTIONS } from "@genq/ml";
import { DEV_COLLECTIONS, loadDevCollection } from "./lib/dev-collections.ts";
import { evaluateSetting, MIXES, type Setting, type SettingResult, type Split } from "./lib/dev-eval.ts";

const base: Setting = { name: "default", model: { ...DEFAULT_MODEL_CONFIG, seed: 42 }, train: { ...DEFAULT_TRAIN_OPTIONS }, querygen: { ...DEFAULT_QUERYGEN_OPTIONS } };
const variant = (name: string, change: { model?: Partial<Setting["model"]>; train?: Partial<Setting["train"]>; querygen?: Partial<Setting["querygen"]>; skipKinds?: string[] }): Setting => ({
  name,
  skipKinds: change.skipKinds,
  model: { ...base.model, ...change.model },
  train: { ...base.train, ...change.train },
  querygen: { ...base.querygen, ...change.querygen },
});

/** Every setting tried, by name (the defaults are whatever packages/ml ships). */
const SETTINGS: Setting[] = [
  base,
  variant("previous", { model: { bigrams: true }, train: { inverseCloze: 0 } }),
  variant("word-pairs", { model: { bigrams: true } }),
  variant("no-ict", { train: { inverseCloze: 0 } }),
  variant("ict1", { train: { inverseCloze: 1 } }),
  variant("ict4", { train: { inverseCloze: 4 } }),
  variant("epochs3", { train: { epochs: 3 } }),
  variant("dims256", { model: { dims: 256 } }),
  variant("features160", { model: { maxFeatures: 160 } }),
  variant("lr0.02", { train: { learningRate: 0.02 } }),
  variant("no-terms", { skipKinds: ["terms"] }),
  variant("seed43", { train: { seed: 43 } }),
  variant("no-heading", { skipKinds: ["heading"] }),
  variant("scale10", { train: { scale: 10 } }),
  variant("scale30", { train: { scale: 30 } }),
  variant("batch256", { train: { batchSize: 256 } }),
];

const chosen = process.env.SETTINGS ? SETTINGS.filter((s) => process.env.SETTINGS!.split(",").includes(s.name)) : SETTINGS;
if (!chosen.length) throw new Error(`no setting named ${process.env.SETTINGS}; known: ${SETTINGS.map((s) => s.name).join(", ")}`);
const collections = (process.env.COLLECTIONS ?? DEV_COLLECTIONS.join(",")).split(",").map(loadDevCollection);
for (const c of collections) console.log(`${c.name.padEnd(16)} ${String(c.docs.length).padStart(5)} documents, ${String(c.queries.length).padStart(3)} questions  (${c.source})`);

const SYSTEMS = ["bm25", "tfidf", "base", "tuned", ...Object.keys(MIXES)];
const fmt = (r: Record<Split, number>) => `${r.validation.toFixed(3)} / ${r.test.toFixed(3)}`;
const all: Record<string, SettingResult[]> = {};
for (const setting of chosen) {
  console.log(`\n## ${setting.name}  (nDCG@10, validation / test)\n`);
  console.log(`| collection | ${SYSTEMS.join(" | ")} | tuned adds (hybrid − hybrid-untuned) | pairs/s |`);
  console.log(`|---|${SYSTEMS.map(() => "---").join("|")}|---|---|`);
  const results: SettingResult[] = [];
  for (const c of collections) {
    const r = evaluateSetting(c, setting);
    results.push(r);
    const adds = { validation: r.ndcg.hybrid!.validation - r.ndcg["hybrid-untuned"]!.validation, test: r.ndcg.hybrid!.test - r.ndcg["hybrid-untuned"]!.test };
    console.log(`| ${c.name} | ${SYSTEMS.map((s) => fmt(r.ndcg[s]!)).join(" | ")} | ${adds.validation >= 0 ? "+" : ""}${adds.validation.toFixed(3)} / ${adds.test >= 0 ? "+" : ""}${adds.test.toFixed(3)} | ${r.training.pairsPerSecond.toFixed(0)} |`);
  }
  // Macro mean: every collection counts the same, whatever its number of questions.
  const macro = (s: string, split: Split) => results.reduce((t, r) => t + r.ndcg[s]![split], 0) / results.length;
  const m = Object.fromEntries(SYSTEMS.map((s) => [s, { validation: macro(s, "validation"), test: macro(s, "test") }]));
  const rel = (split: Split) => ((m.hybrid![split] / m["hybrid-untuned"]![split] - 1) * 100).toFixed(1);
  console.log(`| **mean** | ${SYSTEMS.map((s) => `**${fmt(m[s]!)}**`).join(" | ")} | ${rel("validation")}% / ${rel("test")}% | |`);
  console.log(`tuned adds at 10% / 20% dense weight: ${(["hybrid-d10", "hybrid-d20"] as const).map((h) => (["validation", "test"] as const).map((sp) => `${((m[h]![sp] / m["hybrid-untuned"]![sp] - 1) * 100).toFixed(1)}%`).join(" / ")).join(", ")}`);
  console.log(`tuned / bm25: ${(m.tuned!.validation / m.bm25!.validation).toFixed(2)} / ${(m.tuned!.test / m.bm25!.test).toFixed(2)}; hybrid / bm25: ${(m.hybrid!.validation / m.bm25!.validation).toFixed(2)} / ${(m.hybrid!.test / m.bm25!.test).toFixed(2)}`);
  all[setting.name] = results;
}
const out = join(import.meta.dirname, "results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `dev-split-${Date.now()}.json`), JSON.stringify({ settings: chosen, results: all }, null, 1));
