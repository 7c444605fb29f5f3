/**
 * genq against the engines users would pick instead — FlexSearch, LanceDB full-text (and its hybrid),
 * SQLite FTS5, wink-bm25-text-search — on the same passages (realistic text, lib/synthetic-corpus.ts) and
 * the same synthetic queries, top 10 with highlights, at 20k and 100k passages. Per engine: p50/p99 through
 * its search call in-process and through HTTP on loopback (one small node:http server around that call,
 * the same for every engine), and the serving process's RSS. Each engine serves from its own child process
 * (so RSS is its own) one after another in this one run; persistent engines (genq, LanceDB, FTS5) open the
 * files a build step wrote, as a serving process would; in-memory ones build in their child. Also: what
 * each of genq's signals costs in memory.
 * Run: npm run bench:install && npm run bench:peers   (SIZES=20000,100000 QUERIES=1000 HTTP_QUERIES=300 ENGINES=…
 * PEERS_DATA=<dir> to keep the built indexes and reuse them; then `node --import tsx bench/peers.bench.ts --tail
 * <dir>/100000` shows where the lexical tail comes from)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { passageText } from "@genq/core";
import { openDatabase, packRows } from "@genq/local";
import {
  Bm25Index,
  DEFAULT_MODEL_CONFIG,
  bm25Builder,
  bucketIdf,
  generateQueries,
  sparsePostingsBuilder,
  terms,
} from "@genq/ml";
import { Index, MetricKind, ScalarKind } from "usearch";
import { syntheticPassages } from "./lib/synthetic-corpus.ts";
import {
  buildFts5,
  buildGenq,
  buildLance,
  flexsearch,
  modelFor,
  openFts5,
  openGenq,
  openLance,
  wink,
  type Engine,
  type PeerMode,
} from "./lib/peer-engines.ts";

const K = 10;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const rss = () => (gc(), gc(), process.memoryUsage().rss);

interface Timing {
  p50: number;
  p99: number;
}
interface EngineResult {
  engine: string;
  size: number;
  open_s: number;
  rss: number;
  modes: Partial<Record<PeerMode, { search: Timing; http: Timing }>>;
}

const ENGINES: Record<string, { modes: PeerMode[]; open(dir: string, size: number): Promise<Engine> }> = {
  genq: { modes: ["lexical"], open: (dir) => openGenq(dir, null) },
  "genq hybrid": { modes: ["hybrid"], open: (dir) => openGenq(dir, loadModel(dir)) },
  FlexSearch: { modes: ["lexical"], open: (_dir, size) => flexsearch(syntheticPassages(size)) },
  "LanceDB full-text": { modes: ["lexical"], open: (dir) => openLance(dir, null) },
  "LanceDB hybrid": { modes: ["hybrid"], open: (dir) => openLance(dir, loadModel(dir)) },
  "SQLite FTS5": { modes: ["lexical"], open: async (dir) => openFts5(dir) },
  "wink-bm25-text-search": { modes: ["lexical"], open: async (_dir, size) => wink(syntheticPassages(size)) },
};

const loadModel = (dir: string) => {
  const b = readFileSync(join(dir, "idf.bin"));
  return modelFor(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
};

async function timeQueries(fn: (q: string) => Promise<unknown> | unknown, queries: string[]): Promise<Timing> {
  for (const q of queries.slice(0, 50)) await fn(q);
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await fn(q);
    times.push(performance.now() - t);
  }
  return { p50: pct(times, 50), p99: pct(times, 99) };
}

/** One engine in this process: open, time in-process and over HTTP, measure RSS after. */
async function serve(name: string, size: number, dir: string): Promise<EngineResult> {
  const spec = ENGINES[name]!;
  const queries = JSON.parse(readFileSync(join(dir, "queries.json"), "utf8")) as string[];
  const t0 = performance.now();
  const engine = await spec.open(dir, size);
  const open_s = (performance.now() - t0) / 1000;
  const result: EngineResult = { engine: name, size, open_s, rss: 0, modes: {} };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", async () => {
      const { query, mode } = JSON.parse(body) as { query: string; mode: PeerMode };
      const hits = await engine.search(query, mode, K);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hits }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (payload: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/search",
          method: "POST",
          agent,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.on("data", () => {});
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  for (const mode of spec.modes) {
    const search = await timeQueries(
      (q) => engine.search(q, mode, K),
      queries.slice(0, Number(process.env.QUERIES ?? 1000)),
    );
    const http = await timeQueries(
      (q) => post(JSON.stringify({ query: q, mode })),
      queries.slice(0, Number(process.env.HTTP_QUERIES ?? 300)),
    );
    result.modes[mode] = { search, http };
  }
  server.close();
  agent.destroy();
  result.rss = rss();
  return result;
}

/** Build the persistent engines' files, the queries and the encoder's idf for one size. */
async function build(size: number, dir: string) {
  const passages = syntheticPassages(size);
  const texts = passages.map(passageText);
  const idf = bucketIdf(texts, DEFAULT_MODEL_CONFIG);
  writeFileSync(join(dir, "idf.bin"), Buffer.from(idf.buffer));
  const queries = generateQueries(passages.slice(0, 1500), new Bm25Index(texts.slice(0, 1500))).map((q) => q.query);
  writeFileSync(join(dir, "queries.json"), JSON.stringify(queries.slice(0, 1050)));
  const model = modelFor(idf);
  const times: Record<string, number> = {};
  for (const [name, fn] of [
    ["genq", () => buildGenq(dir, passages, model)],
    ["LanceDB", () => buildLance(dir, passages, model)],
    ["SQLite FTS5", () => buildFts5(dir, passages)],
  ] as const) {
    const t = performance.now();
    await fn();
    times[name] = (performance.now() - t) / 1000;
  }
  return times;
}

/** RSS of each of genq's signals, built one after another from the index's rows as memory-signals.ts builds them. */
function signalCosts(dir: string): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  // RSS moves with what the allocators keep; the JS heap and typed arrays count what is held.
  const js = () => (gc(), gc(), process.memoryUsage().heapUsed + process.memoryUsage().external);
  let last = [rss(), js()] as const;
  const step = (name: string) => {
    const now = [rss(), js()] as const;
    out.push([name, mib(now[0] - last[0]), mib(now[1] - last[1])]);
    last = now;
  };
  const db = openDatabase(join(dir, "genq.db"));
  const tag = (db.prepare("SELECT tag FROM index_versions WHERE version = 'v1'").get() as { tag: string }).tag;
  const statement = db.prepare(
    `SELECT p.rowid AS rowid, p.title AS title, p.text AS text, v.embedding AS embedding FROM p_${tag} p JOIN vec_${tag} v ON v.rowid = p.rowid ORDER BY p.rowid`,
  );
  const rows = packRows(
    (function* () {
      for (const r of statement.iterate() as IterableIterator<{
        rowid: number;
        title: string;
        text: string;
        embedding: Buffer;
      }>)
        yield {
          rowid: r.rowid,
          text: passageText(r),
          vector: new Float32Array(
            r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength),
          ),
        };
    })(),
  );
  step(
    "passage rows read from SQLite, packed: texts as UTF-8 in one buffer (dropped again once the signals are built), vectors in one array (kept for the exact scan)",
  );
  const keep: unknown[] = [];
  // The index builds both in the same two passes; here each gets its own, so each step adds only its postings.
  const bm25 = bm25Builder();
  for (const pass of ["count", "fill"] as const)
    for (let pos = 0; pos < rows.size; pos++) bm25[pass](terms(rows.text(pos)));
  keep.push(new Bm25Index(bm25.build()));
  step("BM25 postings");
  const sparse = sparsePostingsBuilder({ bucketBits: 18, bigrams: true, maxFeatures: 0 });
  for (const pass of ["count", "fill"] as const)
    for (let pos = 0; pos < rows.size; pos++) sparse[pass](terms(rows.text(pos)));
  keep.push(sparse.build());
  step("TF-IDF postings (words + word pairs, keyed by hash bucket)");
  if (rows.size >= 10_000) {
    const index = new Index({
      dimensions: rows.dims,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      connectivity: 16,
      expansion_add: 128,
      expansion_search: 128,
      multi: false,
    });
    index.add(
      BigUint64Array.from({ length: rows.size }, (_, i) => BigInt(i)),
      rows.vectors,
      0,
    );
    keep.push(index);
    step("HNSW graph over the vectors (usearch; holds a copy of the vectors of its own)");
  }
  const b = readFileSync(join(dir, "idf.bin"));
  keep.push(modelFor(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))));
  step("the query encoder (hybrid only)");
  keep.push(rows);
  return out;
}

/**
 * Where the lexical tail comes from: each query's BM25 ranking timed alone (best of 5, so the machine's
 * noise drops out and what is left is the query's own cost), through `top` (MaxScore, or the exhaustive
 * scorer for long queries) and through the exhaustive scorer alone, grouped by the query's distinct terms.
 */
function lexicalTail(dir: string): string[] {
  const db = openDatabase(join(dir, "genq.db"));
  const tag = (db.prepare("SELECT tag FROM index_versions WHERE version = 'v1'").get() as { tag: string }).tag;
  const rows = db.prepare(`SELECT title, text FROM p_${tag} ORDER BY rowid`).all() as Array<{
    title: string;
    text: string;
  }>;
  const index = new Bm25Index(rows.map(passageText));
  const queries = (JSON.parse(readFileSync(join(dir, "queries.json"), "utf8")) as string[]).slice(0, 1000);
  const best = (f: () => unknown) =>
    Math.min(...Array.from({ length: 5 }, () => ((t) => (f(), performance.now() - t))(performance.now())));
  const timed = queries.map((q) => {
    return {
      m: new Set(terms(q)).size,
      top: best(() => index.search(q, K)),
      all: best(() => index.search(q, K, { exhaustive: true })),
    };
  });
  const f = (x: number) => x.toFixed(2);
  const out = [`| query terms | queries | top (as served) mean ms | exhaustive mean ms |`, `|---|---|---|---|`];
  for (const [lo, hi] of [
    [1, 4],
    [5, 8],
    [9, 12],
    [13, 24],
    [25, 1000],
  ] as const) {
    const g = timed.filter((t) => t.m >= lo && t.m <= hi);
    const mean = (key: "top" | "all") => g.reduce((s, t) => s + t[key], 0) / Math.max(1, g.length);
    if (g.length) out.push(`| ${lo}–${hi > 100 ? "" : hi} | ${g.length} | ${f(mean("top"))} | ${f(mean("all"))} |`);
  }
  for (const key of ["top", "all"] as const)
    out.push(
      `${key === "top" ? "as served" : "exhaustive"}: p50 ${f(
        pct(
          timed.map((t) => t[key]),
          50,
        ),
      )} ms, p99 ${f(
        pct(
          timed.map((t) => t[key]),
          99,
        ),
      )} ms`,
    );
  return out;
}

const child = (args: string[]) => {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", import.meta.filename, ...args],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 26,
      env: { LANCEDB_LOG: "error", ...process.env },
    },
  );
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as unknown;
};

const [mode, ...rest] = process.argv.slice(2);
if (mode === "--build") console.log(JSON.stringify(await build(Number(rest[0]), rest[1]!)));
else if (mode === "--serve") console.log(JSON.stringify(await serve(rest[0]!, Number(rest[1]), rest[2]!)));
else if (mode === "--signals") console.log(JSON.stringify(signalCosts(rest[0]!)));
else if (mode === "--tail") console.log(lexicalTail(rest[0]!).join("\n"));
else {
  const wanted = process.env.ENGINES ? process.env.ENGINES.split(",") : Object.keys(ENGINES);
  const f = (x: number) => x.toFixed(2);
  for (const size of (process.env.SIZES ?? "20000,100000").split(",").map(Number)) {
    // PEERS_DATA=<dir> keeps the built files there and reuses them on the next run (building 100k takes minutes).
    const dir = process.env.PEERS_DATA
      ? join(process.env.PEERS_DATA, String(size))
      : mkdtempSync(join(tmpdir(), "genq-bench-peers-"));
    try {
      if (!existsSync(join(dir, "queries.json"))) {
        mkdirSync(dir, { recursive: true });
        const built = child(["--build", String(size), dir]) as Record<string, number>;
        writeFileSync(join(dir, "built.json"), JSON.stringify(built));
      }
      const built = JSON.parse(readFileSync(join(dir, "built.json"), "utf8")) as Record<string, number>;
      console.log(
        `\n## ${size.toLocaleString("en")} passages — built in ${Object.entries(built)
          .map(([n, s]) => `${n} ${s.toFixed(1)} s`)
          .join(", ")}\n`,
      );
      const results = wanted.map((name) => child(["--serve", name, String(size), dir]) as EngineResult);
      for (const m of ["lexical", "hybrid"] as const) {
        const rows = results.filter((r) => r.modes[m]);
        const peers = rows.filter((r) => !r.engine.startsWith("genq"));
        const best = (key: "search" | "http", p: keyof Timing) => Math.min(...peers.map((r) => r.modes[m]![key][p]));
        const leanest = Math.min(...peers.map((r) => r.rss));
        console.log(`### ${m}, top ${K} with highlights\n`);
        console.log(
          `| engine | search p50 / p99 (ms) | HTTP p50 / p99 (ms) | serving RSS (MiB) | p50 / p99 vs fastest peer | RSS vs leanest peer |`,
        );
        console.log(`|---|---|---|---|---|---|`);
        for (const r of rows) {
          const t = r.modes[m]!;
          console.log(
            `| ${r.engine} | ${f(t.search.p50)} / ${f(t.search.p99)} | ${f(t.http.p50)} / ${f(t.http.p99)} | ${mib(r.rss)} | ${f(t.search.p50 / best("search", "p50"))}× / ${f(t.search.p99 / best("search", "p99"))}× | ${f(r.rss / leanest)}× |`,
          );
        }
        console.log("");
      }
      if (wanted.includes("genq")) {
        console.log(
          `### what genq's signals cost (MiB added: RSS / JS heap + typed arrays; native memory such as the HNSW graph shows only in RSS)\n`,
        );
        for (const [name, cost, held] of child(["--signals", dir]) as Array<[string, number, number]>)
          console.log(`- ${name}: ${cost} / ${held}`);
      }
    } finally {
      if (!process.env.PEERS_DATA) rmSync(dir, { recursive: true, force: true });
    }
  }
}
