/**
 * Calibration and gate rules compared on the development collections (default model setting): for each
 * rule, the setup a first run serves on each collection and its real-question nDCG@10 (validation /
 * test), macro means, and the collections where the served setup is significantly below BM25 on all of
 * their real questions (paired randomisation test, p < 0.05). Rules are chosen on validation halves.
 * Run: npm run bench:dev-gate
 */
import { DEFAULT_MODEL_CONFIG, DEFAULT_QUERYGEN_OPTIONS, DEFAULT_TRAIN_OPTIONS } from "@genq/ml";
import { DEV_COLLECTIONS } from "./lib/dev-collections.ts";
import { preparedCollection } from "./lib/dev-cache.ts";
import { gateOutcome, type GateRule } from "./lib/dev-gate.ts";
import type { Setting, Split } from "./lib/dev-signals.ts";

const setting: Setting = {
  name: "default",
  model: { ...DEFAULT_MODEL_CONFIG },
  train: { ...DEFAULT_TRAIN_OPTIONS, seed: 42 },
  querygen: { ...DEFAULT_QUERYGEN_OPTIONS, seed: 42 },
};
const names = (process.env.COLLECTIONS ?? DEV_COLLECTIONS.join(",")).split(",");
const prepared = names.map((n) => preparedCollection(n, setting, process.env.SALT ?? ""));

const RULES: Array<{ name: string; rule: GateRule; hasSparse?: boolean }> = [
  { name: "previous: grid argmax, best test mean serves", rule: { margin: 0, previous: true } },
  { name: "grid argmax, preference order, tolerance 0", rule: { margin: 0 } },
  { name: "margin 0.01, preference order", rule: { margin: 0.01 } },
  { name: "margin 0.02, preference order", rule: { margin: 0.02 } },
  { name: "margin 0.05, preference order", rule: { margin: 0.05 } },
  { name: "preferred weights only, preference order", rule: { margin: 1 } },
  { name: "margin 0.02, tolerance 0.01", rule: { margin: 0.02, tolerance: 0.01 } },
  { name: "no TF-IDF (AWS): margin 0.02", rule: { margin: 0.02 }, hasSparse: false },
  { name: "no TF-IDF (AWS): grid argmax", rule: { margin: 0 }, hasSparse: false },
];
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const f = (v: number, t: number) => `${v.toFixed(3)} / ${t.toFixed(3)}`;
for (const { name, rule, hasSparse } of RULES) {
  console.log(`\n## ${name}\n`);
  console.log(
    "| collection | served (weights) | served | bm25 | hybrid-untuned | hybrid | served − bm25, all (p) |\n|---|---|---|---|---|---|---|",
  );
  const outs = prepared.map((p) => ({ p, o: gateOutcome(p, rule, hasSparse ?? true) }));
  for (const { p, o } of outs) {
    const m = (s: string) => (o.real[s] ? f(mean(o.real[s]!.validation), mean(o.real[s]!.test)) : "—");
    const w = o.served.weights;
    const sig = o.servedVsBm25.difference < 0 && o.servedVsBm25.pValue < 0.05 ? " **below**" : "";
    console.log(
      `| ${p.collection} | ${o.served.name} (${w.lexical}/${w.sparse}/${w.semantic}) | ${m("served")} | ${m("bm25")} | ${m("hybrid-untuned")} | ${m("hybrid")} | ${o.servedVsBm25.difference.toFixed(3)} (${o.servedVsBm25.pValue.toFixed(3)})${sig} |`,
    );
  }
  const macro = (s: string, split: Split) => mean(outs.map(({ o }) => (o.real[s] ? mean(o.real[s]![split]) : NaN)));
  const mm = (s: string) => (Number.isNaN(macro(s, "validation")) ? "—" : f(macro(s, "validation"), macro(s, "test")));
  console.log(`| **mean** | | **${mm("served")}** | ${mm("bm25")} | ${mm("hybrid-untuned")} | ${mm("hybrid")} | |`);
}
