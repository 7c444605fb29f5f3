/**
 * Fresh documents: how long from uploading a 20-page document to a served corpus until a search finds it,
 * without a training run. Part 1 drives the whole local runtime over its HTTP app (upload → chunk →
 * embed with the serving model → add to the serving index → search) on the shipped examples, served by
 * a real run. Part 2 times the same steps (chunk, embed and index, first search) against a served index of
 * SIZE synthetic passages (20,000 by default; realistic text from debfaq, see lib/synthetic-corpus.ts).
 * A "20-page document" is ~10,000 words of the examples' own text (Markdown, 20 sections).
 * Run: npm run bench:fresh   (SIZE=n, ROUNDS=n)
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chunkDocument, keys, passageText, refreshDocument, silentLogger, systemClock } from "@genq/core";
import {
  createFolderBlobStore,
  createSqlitePipelineRepository,
  createSqliteSearchIndex,
  openDatabase,
  staticEncoder,
} from "@genq/local";
import { DEFAULT_MODEL_CONFIG, StaticModel, bucketIdf } from "@genq/ml";
import { parseDocument } from "@genq/parsing";
import { loadConfig } from "../packages/cli/src/config.ts";
import { ingestFolder } from "../packages/cli/src/ingest-folder.ts";
import { createLocalDeps } from "../packages/cli/src/local-deps.ts";
import { runPipeline } from "../packages/cli/src/run-command.ts";
import { createLocalApp } from "../packages/cli/src/serve.ts";
import { syntheticPassages } from "./lib/synthetic-corpus.ts";

const EXAMPLES = join(import.meta.dirname, "../examples/postgresql-docs");
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** ~10,000 words in 20 sections of the examples' text, with a word found nowhere else (what the search looks for). */
async function twentyPages(round: number): Promise<string> {
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".html"))
    .sort();
  const sections: string[] = [];
  let words = 0;
  for (let i = round * 7; words < 10_000; i++) {
    const file = files[i % files.length]!;
    const [doc] = await parseDocument(file, readFileSync(join(EXAMPLES, file)));
    for (const s of doc!.sections) {
      if (words >= 10_000) break;
      sections.push(`## ${s.title}\n\n${s.text}`);
      words += s.text.split(/\s+/).length;
    }
  }
  return `# Operations handbook, edition zqfreshmark${round}\n\nThis handbook is edition zqfreshmark${round}.\n\n${sections.slice(0, 20).join("\n\n")}\n`;
}

async function localRuntime() {
  const data = mkdtempSync(join(tmpdir(), "genq-bench-fresh-"));
  const deps = createLocalDeps(loadConfig({ GENQ_LOG_LEVEL: "silent" }, { data }));
  await ingestFolder(deps, { source: EXAMPLES, corpus: "examples", quiet: true });
  const { run } = await runPipeline(deps, { corpus: "examples", quiet: true }, () => {});
  if (run.state !== "ready") throw new Error(`the examples run ended ${run.state}`);
  const { app, keys: apiKeys } = createLocalApp(deps);
  const key = apiKeys.create("local");
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const times: number[] = [];
  let passages = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const content = await twentyPages(round);
    const t0 = performance.now();
    const res = await app.request("/v1/corpora/examples/documents", {
      method: "POST",
      headers,
      body: JSON.stringify({ path: `handbook-${round}.md`, content }),
    });
    if (res.status !== 202) throw new Error(`upload answered ${res.status}`);
    // What `genq serve` does in the background: deliver events (the upload is chunked, embedded, indexed).
    for (;;) {
      await deps.outbox.drain(deps.handle);
      const search = await app.request("/v1/corpora/examples/search", {
        method: "POST",
        headers,
        body: JSON.stringify({ query: `zqfreshmark${round}`, k: 3 }),
      });
      const hits = ((await search.json()) as { hits: Array<{ sourcePath: string }> }).hits;
      if (hits.some((h) => h.sourcePath === `handbook-${round}.md`)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    times.push(performance.now() - t0);
    passages = (await deps.repo.getDocument("examples", `handbook-${round}.md`))!.passageCount;
  }
  const served = await deps.index.counts((await deps.index.servingVersion("examples"))!);
  console.log(
    `local runtime, examples corpus served by a run (${served.passages} passages after the uploads, ${served.untrained} untrained):`,
  );
  console.log(
    `  upload of a 20-page document (${passages} passages) → found by search: median ${pct(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (${ROUNDS} documents)`,
  );
  deps.close();
}

async function atScale(size: number) {
  const dir = mkdtempSync(join(tmpdir(), "genq-bench-fresh-scale-"));
  const db = openDatabase(join(dir, "genq.db"));
  const repo = createSqlitePipelineRepository(db);
  const blobs = createFolderBlobStore(join(dir, "bucket"));
  const index = createSqliteSearchIndex(db);
  const base = syntheticPassages(size).map((p) => ({ ...p, corpus: "scale" }));
  const model = StaticModel.initialise(DEFAULT_MODEL_CONFIG, bucketIdf(base.map(passageText), DEFAULT_MODEL_CONFIG));
  const encoder = staticEncoder(model);
  await index.createVersion({ corpus: "scale", version: "v1", dimensions: model.dimensions, tenant: "t" });
  for (let i = 0; i < base.length; i += 1000)
    await index.upsert(
      "v1",
      base.slice(i, i + 1000).map((p) => ({ passage: p, vector: model.encode(passageText(p)) })),
    );
  await repo.putIndexVersion({
    id: "v1",
    corpus: "scale",
    runId: "r1",
    modelId: "m1",
    passageCount: base.length,
    createdAt: "t",
  });
  await index.promote("scale", "v1");
  await index.search({ corpus: "scale", query: "warm up", k: 3, mode: "lexical" });
  const deps = {
    repo,
    blobs,
    index,
    events: { publish: async () => [] },
    clock: systemClock,
    logger: silentLogger,
    encoderFor: async () => encoder,
    parse: parseDocument,
    maxDocumentBytes: 50 << 20,
    defaultTenant: "t",
  };
  const steps = { chunk: [] as number[], index: [] as number[], search: [] as number[], total: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const content = await twentyPages(round);
    const key = keys.doc("scale", `handbook-${round}.md`);
    const t0 = performance.now();
    await blobs.put(key, content);
    await chunkDocument(deps, {
      id: `u${round}`,
      time: "t",
      type: "document.uploaded",
      corpus: "scale",
      detail: { key, size: content.length },
    });
    const t1 = performance.now();
    await refreshDocument(deps, { corpus: "scale", path: `handbook-${round}.md` });
    const t2 = performance.now();
    const hits = await index.search({
      corpus: "scale",
      query: `zqfreshmark${round}`,
      vector: encoder.model.encode(`zqfreshmark${round}`),
      k: 3,
      mode: "hybrid",
    });
    const t3 = performance.now();
    if (!hits.some((h) => h.passage.sourcePath === `handbook-${round}.md`))
      throw new Error("the fresh document was not found");
    steps.chunk.push(t1 - t0);
    steps.index.push(t2 - t1);
    steps.search.push(t3 - t2);
    steps.total.push(t3 - t0);
  }
  console.log(
    `served index of ${size} synthetic passages (vector search: ${size >= 10_000 ? "HNSW graph" : "exact scan"}), medians over ${ROUNDS} 20-page documents:`,
  );
  console.log(
    `  store + chunk ${pct(steps.chunk, 50).toFixed(0)} ms, embed + write to the index ${pct(steps.index, 50).toFixed(0)} ms, first search after it ${pct(steps.search, 50).toFixed(0)} ms; total median ${pct(steps.total, 50).toFixed(0)} ms, max ${Math.max(...steps.total).toFixed(0)} ms`,
  );
}

await localRuntime();
await atScale(Number(process.env.SIZE ?? 20_000));
