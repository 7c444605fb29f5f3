/**
 * The search engines a TypeScript user could pick instead of genq, behind one small interface for
 * bench/peers.bench.ts: each builds its index from the same passages (title + text) and answers a query
 * with the top k passages, their text and a highlight. Engines without highlighting of their own get
 * genq's highlighter applied to the k hits they return (the cheapest way a user would add it).
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { passageText, type Passage } from "@genq/core";
import { createSqliteSearchIndex, openDatabase } from "@genq/local";
import { DEFAULT_MODEL_CONFIG, StaticModel, highlighter, terms } from "@genq/ml";

export interface PeerHit {
  id: string;
  title: string;
  text: string;
  highlight: string | null;
}

export type PeerMode = "lexical" | "hybrid";

/** An engine opened for serving: answers one query (a query vector comes with hybrid). */
export interface Engine {
  search(query: string, mode: PeerMode, k: number): Promise<PeerHit[]> | PeerHit[];
}

export const modelFor = (idf: Float32Array) => StaticModel.initialise(DEFAULT_MODEL_CONFIG, idf);

const rootRequire = createRequire(join(import.meta.dirname, "../../package.json"));

// ---- genq: the index's own `search` over its SQLite file --------------------------------------------

export async function buildGenq(dir: string, passages: readonly Passage[], model: StaticModel): Promise<void> {
  const index = createSqliteSearchIndex(openDatabase(join(dir, "genq.db")));
  await index.createVersion({ corpus: "bench", version: "v1", dimensions: model.dimensions, tenant: "bench" });
  for (let i = 0; i < passages.length; i += 1000) {
    await index.upsert(
      "v1",
      passages.slice(i, i + 1000).map((p) => ({ passage: p, vector: model.encode(passageText(p)) })),
    );
  }
  await index.promote("bench", "v1");
}

/** genq as a serving process opens it: the SQLite file, memory signals loaded; the model only for hybrid. */
export async function openGenq(
  dir: string,
  model: StaticModel | null,
  options: { annThreshold?: number } = {},
): Promise<Engine> {
  const index = createSqliteSearchIndex(openDatabase(join(dir, "genq.db")), options);
  await index.warm("bench");
  return {
    async search(query, mode, k) {
      const hits = await index.search({
        corpus: "bench",
        query,
        k,
        mode,
        ...(mode === "hybrid" ? { vector: model!.encode(query) } : {}),
      });
      return hits.map((h) => ({
        id: h.passage.id,
        title: h.passage.title,
        text: h.passage.text,
        highlight: h.highlights[0] ?? null,
      }));
    },
  };
}

// ---- SQLite FTS5 (porter unicode61, bm25(), snippet()) ----------------------------------------------

type Db = {
  exec(sql: string): void;
  prepare(sql: string): { run(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] };
  transaction(fn: () => void): () => void;
};
const sqlite = (path: string): Db => {
  const Database = rootRequire("better-sqlite3") as new (p: string) => Db;
  return new Database(path);
};

export function buildFts5(dir: string, passages: readonly Passage[]): void {
  const db = sqlite(join(dir, "fts5.db"));
  db.exec(
    "PRAGMA journal_mode = WAL; CREATE VIRTUAL TABLE f USING fts5(id UNINDEXED, title, text, tokenize = 'porter unicode61')",
  );
  const insert = db.prepare("INSERT INTO f (id, title, text) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (const p of passages) insert.run(p.id, p.title, p.text);
  })();
  db.exec("INSERT INTO f (f) VALUES ('optimize')");
}

export function openFts5(dir: string): Engine {
  const db = sqlite(join(dir, "fts5.db"));
  const st = db.prepare(
    "SELECT id, title, text, snippet(f, 2, '<mark>', '</mark>', '…', 24) AS hl FROM f WHERE f MATCH ? ORDER BY rank LIMIT ?",
  );
  return {
    search(query, _mode, k) {
      // Any of the query's words (quoted, so punctuation is no FTS5 syntax), as a search box would ask.
      const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
      if (!words.length) return [];
      const rows = st.all(words.map((w) => `"${w}"`).join(" OR "), k) as Array<{
        id: string;
        title: string;
        text: string;
        hl: string;
      }>;
      return rows.map((r) => ({ id: r.id, title: r.title, text: r.text, highlight: r.hl }));
    },
  };
}

// ---- LanceDB: full-text (BM25, stemmed, stop words removed) and hybrid (+ vectors, RRF) -------------

export async function buildLance(dir: string, passages: readonly Passage[], model: StaticModel): Promise<void> {
  const lancedb = await import("@lancedb/lancedb");
  const db = await lancedb.connect(join(dir, "lance"));
  const rows = passages.map((p) => ({
    id: p.id,
    title: p.title,
    text: p.text,
    body: passageText(p),
    vector: Array.from(model.encode(passageText(p))),
  }));
  const table = await db.createTable("passages", rows.slice(0, 5000));
  for (let i = 5000; i < rows.length; i += 5000) await table.add(rows.slice(i, i + 5000));
  await table.createIndex("body", {
    config: lancedb.Index.fts({ stem: true, removeStopWords: true, lowercase: true, withPosition: false }),
  });
}

export async function openLance(dir: string, model: StaticModel | null): Promise<Engine> {
  const lancedb = await import("@lancedb/lancedb");
  const table = await (await lancedb.connect(join(dir, "lance"))).openTable("passages");
  const reranker = await lancedb.rerankers.RRFReranker.create();
  return {
    async search(query, mode, k) {
      const highlight = highlighter(query);
      const lexical = table.query().fullTextSearch(query).select(["id", "title", "text"]);
      const q =
        mode === "hybrid"
          ? lexical
              .nearestTo(Array.from(model!.encode(query)))
              .distanceType("cosine")
              .rerank(reranker)
          : lexical;
      const rows = (await q.limit(k).toArray()) as Array<{ id: string; title: string; text: string }>;
      return rows.map((r) => ({ id: r.id, title: r.title, text: r.text, highlight: highlight(r.text) }));
    },
  };
}

// ---- FlexSearch (in memory, document store, its own highlighting) -----------------------------------

export async function flexsearch(passages: readonly Passage[]): Promise<Engine> {
  const { Document } = (await import("flexsearch")).default as unknown as {
    Document: new (o: object) => { add(d: object): void; search(o: object): unknown };
  };
  const index = new Document({
    document: { id: "id", index: ["body"], store: ["title", "text", "body"] },
    tokenize: "strict",
    cache: false,
  });
  passages.forEach((p, i) => index.add({ id: i, title: p.title, text: p.text, body: passageText(p) }));
  return {
    search(query, _mode, k) {
      // `suggest`: passages with some of the words, not only all of them (as every other engine ranks).
      const res = index.search({
        query,
        limit: k,
        suggest: true,
        enrich: true,
        pluck: "body",
        highlight: { template: "<mark>$1</mark>", boundary: 160 },
      }) as Array<{ id: number; doc: { title: string; text: string }; highlight?: string }>;
      return res.map((r) => ({ id: `p${r.id}`, title: r.doc.title, text: r.doc.text, highlight: r.highlight ?? null }));
    },
  };
}

// ---- wink-bm25-text-search (in memory; BM25 over the same stemmed terms as genq) -------------------

export function wink(passages: readonly Passage[]): Engine {
  // The package ships no types: the part used here, as its README documents it.
  const bm25 = createRequire(import.meta.url)("wink-bm25-text-search") as () => {
    defineConfig(c: object): void;
    definePrepTasks(t: Array<(x: unknown) => unknown>): void;
    addDoc(d: object, id: number): void;
    consolidate(): void;
    search(q: string, limit: number): Array<[number, number]>;
  };
  const engine = bm25();
  engine.defineConfig({ fldWeights: { title: 1, text: 1 }, bm25Params: { k1: 1.2, b: 0.75, k: 1 } });
  engine.definePrepTasks([(s) => terms(s as string)]);
  passages.forEach((p, i) => engine.addDoc({ title: p.title, text: p.text }, i));
  engine.consolidate();
  const kept = passages.map((p) => ({ id: p.id, title: p.title, text: p.text }));
  return {
    search(query, _mode, k) {
      const highlight = highlighter(query);
      return engine.search(query, k).map(([i]) => ({ ...kept[i]!, highlight: highlight(kept[i]!.text) }));
    },
  };
}

export const ensureDir = (dir: string) => (mkdirSync(dir, { recursive: true }), dir);
