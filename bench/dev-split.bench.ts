/**
 * How genq's model settings are chosen: every setting tried runs the product path on several
 * development collections with real questions (FAQs of Debian documentation packages over their
 * manuals; see lib/dev-collections.ts), plus the shipped PostgreSQL examples and debfaq's corpus with
 * held-out section headings as questions — never debfaq's own questions. A run's path: synthetic queries,
 * training, the held-out queries cleaned and split, every setup calibrated and the gate's choice (core's
 * code, lib/dev-gate.ts); then the real questions scored with what is served, BM25, TF-IDF, the base
 * and tuned models, and hybrid without and with the tuned model (calibrated weights). Each collection's
 * questions are split in half: settings are compared on the validation half; the test half reports how
 * the choice holds. `npm run bench:dev-product` checks the same path through `genq run` itself.
 *
 * Run: npm run bench:dev                       (every setting below, every collection)
 *      SETTINGS=default,dims256 npm run bench:dev  COLLECTIONS=sqlite,git
 * The first run downloads the Debian packages into bench/.cache (git-ignored); prepared collections are
 * cached there too (FRESH=1 ignores the cache).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CALIBRATION, ndcgAt } from "@genq/core";
import { DEFAULT_MODEL_CONFIG, DEFAULT_QUERYGEN_OPTIONS, DEFAULT_TRAIN_OPTIONS } from "@genq/ml";
import { DEV_COLLECTIONS, loadDevCollection } from "./lib/dev-collections.ts";
import { preparedCollection } from "./lib/dev-cache.ts";
import { gateOutcome } from "./lib/dev-gate.ts";
import type { Setting, Split } from "./lib/dev-signals.ts";

/** The pipeline's seed (GENQ_SEED) for query generation and training. */
const base: Setting = {
  name: "default",
  model: { ...DEFAULT_MODEL_CONFIG, seed: 42 },
  train: { ...DEFAULT_TRAIN_OPTIONS, seed: 42 },
  querygen: { ...DEFAULT_QUERYGEN_OPTIONS, seed: 42 },
};
const variant = (
  name: string,
  change: {
    model?: Partial<Setting["model"]>;
    train?: Partial<Setting["train"]>;
    querygen?: Partial<Setting["querygen"]>;
    skipKinds?: string[];
    soupSeeds?: number[];
  },
): Setting => ({
  name,
  skipKinds: change.skipKinds,
  soupSeeds: change.soupSeeds,
  model: { ...base.model, ...change.model },
  train: { ...base.train, ...change.train },
  querygen: { ...base.querygen, ...change.querygen },
});

/** Every setting tried, by name (the defaults are whatever packages/ml ships). */
const SETTINGS: Setting[] = [
  base,
  variant("seed43", { train: { seed: 43 } }),
  variant("epochs3", { train: { epochs: 3 } }),
  variant("lr0.08", { train: { learningRate: 0.08 } }),
  variant("scale30", { train: { scale: 30 } }),
  variant("mask-headings", { train: { clozeMinChars: 1 } }),
  variant("ict3", { train: { inverseCloze: 3 } }),
  variant("features160", { model: { maxFeatures: 160 } }),
  variant("soup2", { soupSeeds: [42, 43] }),
  variant("no-subwords", { model: { subwords: 0 } }),
  variant("no-subwords-seed43", { model: { subwords: 0 }, train: { seed: 43 } }),
  variant("subwords-room", { model: { maxSubwordFeatures: 0 } }),
  variant("subwords-cap32", { model: { maxSubwordFeatures: 32 } }),
  variant("soup2-1epoch", { soupSeeds: [42, 43], train: { epochs: 1 } }),
];

const chosen = process.env.SETTINGS
  ? SETTINGS.filter((s) => process.env.SETTINGS!.split(",").includes(s.name))
  : SETTINGS;
if (!chosen.length)
  throw new Error(`no setting named ${process.env.SETTINGS}; known: ${SETTINGS.map((s) => s.name).join(", ")}`);
const names = (process.env.COLLECTIONS ?? DEV_COLLECTIONS.join(",")).split(",");
for (const name of names) {
  const c = loadDevCollection(name);
  console.log(
    `${c.name.padEnd(16)} ${String(c.docs.length).padStart(5)} documents, ${String(c.queries.length).padStart(3)} questions  (${c.source})`,
  );
}

const SYSTEMS = ["served", "bm25", "tfidf", "base", "tuned", "hybrid-untuned", "hybrid"];
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const fmt = (r: Record<Split, number>) => `${r.validation.toFixed(3)} / ${r.test.toFixed(3)}`;
const summary: Record<string, unknown> = {};
for (const setting of chosen) {
  console.log(`\n## ${setting.name}  (nDCG@10 on real questions, validation / test)\n`);
  console.log(`| collection | served setup | ${SYSTEMS.join(" | ")} | tuned adds | pairs/s |`);
  console.log(`|---|---|${SYSTEMS.map(() => "---").join("|")}|---|---|`);
  const rows: Array<Record<string, Record<Split, number>>> = [];
  for (const name of names) {
    const p = preparedCollection(name, setting, process.env.SALT ?? "");
    const o = gateOutcome(p, { margin: DEFAULT_CALIBRATION.margin });
    const r: Record<string, Record<Split, number>> = {};
    for (const s of SYSTEMS) {
      if (s === "base")
        r[s] = {
          validation: mean(p.base.validation.map((ranking, i) => ndcgAt(ranking, p.real.validation[i]!.judgments, 10))),
          test: mean(p.base.test.map((ranking, i) => ndcgAt(ranking, p.real.test[i]!.judgments, 10))),
        };
      else r[s] = { validation: mean(o.real[s]!.validation), test: mean(o.real[s]!.test) };
    }
    rows.push(r);
    const adds = (sp: Split) => r.hybrid![sp] - r["hybrid-untuned"]![sp];
    const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
    const w = o.served.weights;
    console.log(
      `| ${name} | ${o.served.name} (${w.lexical}/${w.sparse}/${w.semantic}) | ${SYSTEMS.map((s) => fmt(r[s]!)).join(" | ")} | ${sign(adds("validation"))} / ${sign(adds("test"))} | ${p.training.pairsPerSecond.toFixed(0)} |`,
    );
  }
  // Macro mean: every collection counts the same, whatever its number of questions.
  const m = Object.fromEntries(
    SYSTEMS.map((s) => [
      s,
      { validation: mean(rows.map((r) => r[s]!.validation)), test: mean(rows.map((r) => r[s]!.test)) },
    ]),
  );
  const rel = (a: string, b: string) =>
    (["validation", "test"] as const).map((sp) => `${((m[a]![sp] / m[b]![sp] - 1) * 100).toFixed(1)}%`).join(" / ");
  console.log(
    `| **mean** | | ${SYSTEMS.map((s) => `**${fmt(m[s]!)}**`).join(" | ")} | ${rel("hybrid", "hybrid-untuned")} | |`,
  );
  const ratio = (a: string) =>
    (["validation", "test"] as const).map((sp) => (m[a]![sp] / m.bm25![sp]).toFixed(2)).join(" / ");
  console.log(
    `served / bm25: ${ratio("served")}; tuned / bm25: ${ratio("tuned")}; hybrid / bm25: ${ratio("hybrid")}; tuned adds ${rel("hybrid", "hybrid-untuned")}`,
  );
  summary[setting.name] = { setting, mean: m };
}
const out = join(import.meta.dirname, "results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `dev-split-${Date.now()}.json`), JSON.stringify(summary, null, 1));
