/**
 * Search latency of the embedded index at 20k and 100k passages (realistic text, see
 * lib/synthetic-corpus.ts): query encoding plus search, for each mode, over 300 synthetic queries
 * after a warm-up. Run: npm run bench:search   (SIZES=20000,100000 by default; ANN_THRESHOLD=n moves the
 * point from which vector search uses the HNSW graph instead of the exact scan, 10,000 by default)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { passageText, type SearchMode } from "@genq/core";
import { createSqliteSearchIndex, openDatabase } from "@genq/local";
import { Bm25Index, DEFAULT_MODEL_CONFIG, StaticModel, bucketIdf, generateQueries } from "@genq/ml";
import { syntheticPassages } from "./lib/synthetic-corpus.ts";

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

for (const size of (process.env.SIZES ?? "20000,100000").split(",").map(Number)) {
  const passages = syntheticPassages(size);
  const texts = passages.map(passageText);
  const model = StaticModel.initialise(DEFAULT_MODEL_CONFIG, bucketIdf(texts, DEFAULT_MODEL_CONFIG));
  const annThreshold = process.env.ANN_THRESHOLD ? Number(process.env.ANN_THRESHOLD) : undefined;
  const index = createSqliteSearchIndex(
    openDatabase(join(mkdtempSync(join(tmpdir(), "genq-bench-search-")), "genq.db")),
    { annThreshold },
  );
  const t0 = performance.now();
  await index.createVersion({ corpus: "bench", version: "v1", dimensions: model.dimensions, tenant: "bench" });
  for (let i = 0; i < passages.length; i += 1000) {
    await index.upsert(
      "v1",
      passages.slice(i, i + 1000).map((p) => ({ passage: p, vector: model.encode(passageText(p)) })),
    );
  }
  const built = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await index.promote("bench", "v1");
  const warm = (performance.now() - t1) / 1000;
  const queries = generateQueries(passages.slice(0, 400), new Bm25Index(texts.slice(0, 400)))
    .map((q) => q.query)
    .slice(0, 300);
  console.log(
    `\n${size} passages (vector search: ${size >= (annThreshold ?? 10_000) ? "HNSW graph" : "exact scan"}): indexed (embedding included) in ${built.toFixed(1)} s, in-memory BM25/TF-IDF built in ${warm.toFixed(1)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  for (const mode of ["hybrid", "lexical", "semantic"] as SearchMode[]) {
    for (const q of queries.slice(0, 30))
      await index.search({ corpus: "bench", query: q, vector: model.encode(q), k: 10, mode });
    const times: number[] = [];
    for (const q of queries) {
      const s = performance.now();
      await index.search({ corpus: "bench", query: q, vector: model.encode(q), k: 10, mode });
      times.push(performance.now() - s);
    }
    console.log(
      `  ${mode.padEnd(8)} p50 ${pct(times, 50).toFixed(2)} ms  p99 ${pct(times, 99).toFixed(2)} ms  (${times.length} queries, k = 10)`,
    );
  }
}
