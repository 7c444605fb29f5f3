/**
 * Do fusion weights chosen on held-out synthetic queries transfer to real questions? For every weighting
 * of BM25, TF-IDF and the tuned model (steps of 0.1), nDCG@10 on each development collection's held-out
 * synthetic queries (the run's validation and test splits) and on its real questions (validation and
 * test halves), under the default model setting. Prints, per collection, the weighting the synthetic
 * validation split picks and what it scores on real questions, and the weightings that do best on real
 * validation questions across all collections (macro mean).
 * Run: npm run bench:dev-weights        (COLLECTIONS=sqlite,git to narrow)
 */
import { fuseSignals, ndcgAt, rankDocuments } from "@genq/core";
import { DEFAULT_MODEL_CONFIG, DEFAULT_QUERYGEN_OPTIONS, DEFAULT_TRAIN_OPTIONS } from "@genq/ml";
import { DEV_COLLECTIONS } from "./lib/dev-collections.ts";
import { preparedCollection } from "./lib/dev-cache.ts";
import type { PreparedQuery, Setting, Split } from "./lib/dev-signals.ts";

const setting: Setting = {
  name: "default",
  model: { ...DEFAULT_MODEL_CONFIG },
  train: { ...DEFAULT_TRAIN_OPTIONS, seed: 42 },
  querygen: { ...DEFAULT_QUERYGEN_OPTIONS, seed: 42 },
};
const names = (process.env.COLLECTIONS ?? DEV_COLLECTIONS.join(",")).split(",");

type W = { lexical: number; sparse: number; semantic: number };
const grid: W[] = [];
for (let a = 0; a <= 10; a++)
  for (let b = 0; a + b <= 10; b++) grid.push({ lexical: a / 10, sparse: b / 10, semantic: (10 - a - b) / 10 });
const key = (w: W) => `${w.lexical.toFixed(1)}/${w.sparse.toFixed(1)}/${w.semantic.toFixed(1)}`;
const score = (qs: readonly PreparedQuery[], w: W) =>
  qs.reduce((s, q) => s + ndcgAt(rankDocuments(fuseSignals(q.lists, w)), q.judgments, 10), 0) / Math.max(1, qs.length);

const table = new Map<string, Record<string, Record<Split | "synValidation" | "synTest", number>>>();
for (const name of names) {
  const p = preparedCollection(name, setting, process.env.SALT ?? "");
  const rows: Record<string, Record<Split | "synValidation" | "synTest", number>> = {};
  for (const w of grid)
    rows[key(w)] = {
      validation: score(p.real.validation, w),
      test: score(p.real.test, w),
      synValidation: score(p.heldout.validation, w),
      synTest: score(p.heldout.test, w),
    };
  table.set(name, rows);
  const bySyn = Object.entries(rows).sort((a, b) => b[1].synValidation - a[1].synValidation)[0]!;
  const byReal = Object.entries(rows).sort((a, b) => b[1].validation - a[1].validation)[0]!;
  const f = (r: (typeof rows)[string]) =>
    `syn ${r.synValidation.toFixed(3)}/${r.synTest.toFixed(3)} real ${r.validation.toFixed(3)}/${r.test.toFixed(3)}`;
  console.log(
    `${name.padEnd(16)} held-out ${p.heldout.validation.length}/${p.heldout.test.length}, real ${p.real.validation.length}/${p.real.test.length}`,
  );
  for (const k of ["1.0/0.0/0.0", "0.0/1.0/0.0", "0.0/0.0/1.0", "0.6/0.4/0.0", "0.4/0.3/0.3", "0.5/0.5/0.0"])
    console.log(`   ${k}  ${f(rows[k]!)}`);
  console.log(`   synthetic picks ${bySyn[0]}: ${f(bySyn[1])}`);
  console.log(`   real picks      ${byReal[0]}: ${f(byReal[1])}`);
}
const macro = (k: string, s: Split | "synValidation" | "synTest") =>
  [...table.values()].reduce((t, r) => t + r[k]![s], 0) / table.size;
const ranked = grid.map(key).sort((a, b) => macro(b, "validation") - macro(a, "validation"));
console.log(
  `\nmacro mean over ${table.size} collections, best 15 weightings on real validation questions (real validation / test; synthetic validation / test):`,
);
for (const k of ranked.slice(0, 15))
  console.log(
    `  ${k}  ${macro(k, "validation").toFixed(3)} / ${macro(k, "test").toFixed(3)}   ${macro(k, "synValidation").toFixed(3)} / ${macro(k, "synTest").toFixed(3)}`,
  );
const best = (filter: (k: string) => boolean) => ranked.filter(filter)[0]!;
const [lexOnly, withSparse, withTuned] = [
  (k: string) => k.endsWith("/0.0"),
  (k: string) => k.split("/")[1] === "0.0",
  (_k: string) => true,
];
const report = (what: string, k: string) =>
  console.log(`best ${what}: ${k}  ${macro(k, "validation").toFixed(3)} / ${macro(k, "test").toFixed(3)}`);
report(
  "BM25 + TF-IDF (hybrid-untuned)",
  best((k) => lexOnly(k) && !k.startsWith("0.0") && !k.startsWith("1.0")),
);
report(
  "BM25 + tuned (hybrid without TF-IDF, AWS)",
  best((k) => withSparse(k) && !k.startsWith("0.0") && !k.startsWith("1.0")),
);
report(
  "BM25 + TF-IDF + tuned (hybrid)",
  best((k) => withTuned(k) && !lexOnly(k) && !withSparse(k)),
);
for (const k of ["1.0/0.0/0.0", "0.6/0.4/0.0", "0.5/0.5/0.0", "0.4/0.3/0.3"])
  console.log(
    `  ${k}  ${macro(k, "validation").toFixed(3)} / ${macro(k, "test").toFixed(3)}   ${macro(k, "synValidation").toFixed(3)} / ${macro(k, "synTest").toFixed(3)}`,
  );
