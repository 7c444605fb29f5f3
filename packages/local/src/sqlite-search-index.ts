import {
  DEFAULT_HYBRID_WEIGHTS,
  NotFoundError,
  ValidationError,
  fuseScores,
  passageText,
  type HybridWeights,
  type Passage,
  type ScoredIndex,
  type SearchFilter,
  type SearchHit,
  type SearchIndex,
} from "@genq/core";
import { STOPWORDS, words } from "@genq/ml";
import type { SqliteDatabase } from "./sqlite.ts";
import { createMemorySignals, type MemorySignals } from "./sparse-scorer.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS index_versions (
  version TEXT PRIMARY KEY,
  corpus TEXT NOT NULL,
  tag TEXT NOT NULL UNIQUE,
  dims INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_serving (corpus TEXT PRIMARY KEY, version TEXT NOT NULL);
`;

/** How many candidates each signal contributes to a hybrid search. */
const CANDIDATES = 100;

interface Row {
  rowid: number;
  passage_id: string;
  corpus: string;
  document_id: string;
  source_path: string;
  title: string;
  text: string;
  ordinal: number;
  tenant: string;
}

const toPassage = (r: Row): Passage => ({ id: r.passage_id, corpus: r.corpus, documentId: r.document_id, sourcePath: r.source_path, title: r.title, text: r.text, ordinal: r.ordinal });

/** FTS5 query: the query's words, quoted (no operators reach FTS5), OR-ed; stop words dropped. */
export function ftsQuery(query: string): string | null {
  const ws = [...new Set(words(query).filter((w) => !STOPWORDS.has(w)))];
  return ws.length ? ws.map((w) => `"${w.replace(/"/g, "")}"`).join(" OR ") : null;
}

export interface SqliteSearchIndexOptions {
  weights?: HybridWeights;
  /** Tenant recorded with every passage (filters can select it). */
  tenantOf?: (corpus: string) => string;
}

/**
 * SearchIndex in SQLite. Every version has its own tables: passages, an FTS5 table (porter stemming;
 * highlights) and a sqlite-vec table (cosine). BM25 and a third, untrained signal — TF-IDF cosine over
 * hashed words and word pairs — are scored in memory from the version's passages (see memory signals). Promotion is one UPDATE in a transaction, so a
 * search sees the old serving version or the new one, never a half-built one.
 */
export function createSqliteSearchIndex(db: SqliteDatabase, options: SqliteSearchIndexOptions = {}): SearchIndex & {
  sparseSearch(version: string, query: string, k: number): Promise<SearchHit[]>;
  versionPassages(version: string): Passage[];
  /** Load a corpus's serving version's in-memory signals now rather than on its first search. */
  warm(corpus: string): Promise<void>;
} {
  db.exec(SCHEMA);
  const weights = options.weights ?? DEFAULT_HYBRID_WEIGHTS;
  const memory = new Map<string, MemorySignals>();

  const info = (version: string) => {
    const row = db.prepare("SELECT * FROM index_versions WHERE version = ?").get(version) as
      | { version: string; corpus: string; tag: string; dims: number; state: string }
      | undefined;
    if (!row) throw new NotFoundError(`index version "${version}" not found`);
    return row;
  };
  const tables = (tag: string) => ({ p: `p_${tag}`, fts: `fts_${tag}`, vec: `vec_${tag}` });

  const rowsByIds = (tag: string, ids: number[]): Map<number, Row> => {
    if (!ids.length) return new Map();
    const rows = db.prepare(`SELECT * FROM ${tables(tag).p} WHERE rowid IN (${ids.map(() => "?").join(",")})`).all(...ids) as Row[];
    return new Map(rows.map((r) => [r.rowid, r]));
  };

  const filterSql = (filter?: SearchFilter) => {
    const clauses: string[] = [];
    const args: string[] = [];
    const columns = { sourcePath: "p.source_path", documentId: "p.document_id", tenant: "p.tenant" } as const;
    for (const [field, column] of Object.entries(columns) as Array<[keyof SearchFilter, string]>) {
      const value = filter?.[field];
      if (value === undefined) continue;
      clauses.push(`${column} = ?`);
      args.push(value);
    }
    return { where: clauses.length ? ` AND ${clauses.join(" AND ")}` : "", args };
  };

  const semantic = (tag: string, vector: Float32Array, k: number, filter?: SearchFilter): ScoredIndex[] => {
    const t = tables(tag);
    const f = filterSql(filter);
    const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const rows = f.where
      ? (db.prepare(`SELECT v.rowid AS rowid, vec_distance_cosine(v.embedding, ?) AS distance FROM ${t.vec} v JOIN ${t.p} p ON p.rowid = v.rowid WHERE 1 = 1${f.where} ORDER BY distance, v.rowid LIMIT ?`).all(blob, ...f.args, k) as Array<{ rowid: number; distance: number }>)
      : (db.prepare(`SELECT rowid, distance FROM ${t.vec} WHERE embedding MATCH ? AND k = ? ORDER BY distance`).all(blob, k) as Array<{ rowid: number; distance: number }>);
    return rows.map((r) => ({ index: r.rowid, score: 1 - r.distance }));
  };

  const signals = (version: string, tag: string): MemorySignals => {
    let s = memory.get(version);
    if (!s) {
      const rows = db.prepare(`SELECT rowid, title, text FROM ${tables(tag).p} ORDER BY rowid`).all() as Array<{ rowid: number; title: string; text: string }>;
      s = createMemorySignals(rows.map((r) => ({ rowid: r.rowid, text: passageText(r) })));
      memory.set(version, s);
    }
    return s;
  };

  /** A memory signal's ranking; with a filter, more candidates are drawn and filtered by metadata. */
  const memoryRanking = (signal: keyof MemorySignals, version: string, tag: string, query: string, k: number, filter?: SearchFilter): ScoredIndex[] => {
    const hits = signals(version, tag)[signal](query, filter ? Math.max(k * 50, 1000) : k);
    if (!filter) return hits;
    const meta = rowsByIds(tag, hits.map((h) => h.index));
    return hits.filter((h) => {
      const r = meta.get(h.index);
      return r && (!filter.sourcePath || r.source_path === filter.sourcePath) && (!filter.documentId || r.document_id === filter.documentId) && (!filter.tenant || r.tenant === filter.tenant);
    }).slice(0, k);
  };

  // FTS5 only honours a rowid constraint bound as an integer, hence BigInt for every rowid it sees.
  const highlights = (tag: string, query: string, rowid: number): string[] => {
    const q = ftsQuery(query);
    if (!q) return [];
    const t = tables(tag);
    const row = db.prepare(`SELECT snippet(${t.fts}, 1, '<mark>', '</mark>', '…', 16) AS s FROM ${t.fts} WHERE ${t.fts} MATCH ? AND rowid = ?`).get(q, BigInt(rowid)) as { s: string } | undefined;
    return row ? [row.s] : [];
  };

  const toHits = (tag: string, query: string, ranked: ScoredIndex[], signals: Record<string, ScoredIndex[]>): SearchHit[] => {
    const rows = rowsByIds(tag, ranked.map((r) => r.index));
    const scoreOf = (name: string, rowid: number) => signals[name]?.find((h) => h.index === rowid)?.score;
    return ranked.flatMap((r) => {
      const row = rows.get(r.index);
      if (!row) return [];
      const scores: SearchHit["scores"] = {};
      for (const name of ["lexical", "semantic", "sparse"] as const) {
        const s = scoreOf(name, r.index);
        if (s !== undefined) scores[name] = s;
      }
      return [{ passage: toPassage(row), score: r.score, scores, highlights: highlights(tag, query, r.index) }];
    });
  };

  return {
    async createVersion({ corpus, version, dimensions }) {
      if (!Number.isInteger(dimensions) || dimensions <= 0) throw new ValidationError("index dimensions must be a positive integer");
      const existing = db.prepare("SELECT state FROM index_versions WHERE version = ?").get(version) as { state: string } | undefined;
      if (existing?.state === "ready") return;
      if (existing) await this.dropVersion(version);
      const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      const t = tables(tag);
      db.transaction(() => {
        db.exec(`CREATE TABLE ${t.p} (rowid INTEGER PRIMARY KEY, passage_id TEXT NOT NULL UNIQUE, corpus TEXT NOT NULL, document_id TEXT NOT NULL, source_path TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, ordinal INTEGER NOT NULL, tenant TEXT NOT NULL)`);
        db.exec(`CREATE VIRTUAL TABLE ${t.fts} USING fts5(title, text, content='${t.p}', content_rowid='rowid', tokenize='porter unicode61')`);
        db.exec(`CREATE VIRTUAL TABLE ${t.vec} USING vec0(embedding float[${dimensions}] distance_metric=cosine)`);
        db.prepare("INSERT INTO index_versions (version, corpus, tag, dims, state, created_at) VALUES (?, ?, ?, ?, 'building', ?)").run(version, corpus, tag, dimensions, new Date().toISOString());
      })();
    },

    async upsert(version, items) {
      const v = info(version);
      const t = tables(v.tag);
      const findRow = db.prepare<[string], { rowid: number; title: string; text: string }>(`SELECT rowid, title, text FROM ${t.p} WHERE passage_id = ?`);
      const insertRow = db.prepare(`INSERT INTO ${t.p} (passage_id, corpus, document_id, source_path, title, text, ordinal, tenant) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      const ftsInsert = db.prepare(`INSERT INTO ${t.fts} (rowid, title, text) VALUES (?, ?, ?)`);
      const ftsDelete = db.prepare(`INSERT INTO ${t.fts} (${t.fts}, rowid, title, text) VALUES ('delete', ?, ?, ?)`);
      const vecDelete = db.prepare(`DELETE FROM ${t.vec} WHERE rowid = ?`);
      const vecInsert = db.prepare(`INSERT INTO ${t.vec} (rowid, embedding) VALUES (?, ?)`);
      const deleteRow = db.prepare(`DELETE FROM ${t.p} WHERE rowid = ?`);
      db.transaction(() => {
        for (const { passage: p, vector } of items) {
          if (vector.length !== v.dims) throw new ValidationError(`vector for passage ${p.id} has ${vector.length} dimensions, the index expects ${v.dims}`);
          const old = findRow.get(p.id);
          if (old) {
            ftsDelete.run(BigInt(old.rowid), old.title, old.text);
            vecDelete.run(BigInt(old.rowid));
            deleteRow.run(old.rowid);
          }
          const rowid = Number(insertRow.run(p.id, p.corpus, p.documentId, p.sourcePath, p.title, p.text, p.ordinal, options.tenantOf?.(p.corpus) ?? "").lastInsertRowid);
          ftsInsert.run(BigInt(rowid), p.title, p.text);
          vecInsert.run(BigInt(rowid), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        }
      })();
      memory.delete(version);
    },

    async promote(corpus, version) {
      const v = info(version);
      if (v.corpus !== corpus) throw new ValidationError(`index version "${version}" belongs to corpus "${v.corpus}", not "${corpus}"`);
      db.transaction(() => {
        db.prepare("UPDATE index_versions SET state = 'ready' WHERE version = ?").run(version);
        db.prepare("INSERT INTO index_serving (corpus, version) VALUES (?, ?) ON CONFLICT (corpus) DO UPDATE SET version = excluded.version").run(corpus, version);
      })();
      signals(version, v.tag);
    },

    async servingVersion(corpus) {
      return (db.prepare("SELECT version FROM index_serving WHERE corpus = ?").get(corpus) as { version: string } | undefined)?.version ?? null;
    },

    async search({ corpus, version, query, vector, k, mode, filter }) {
      const chosen = version ?? (await this.servingVersion(corpus));
      if (!chosen) throw new NotFoundError(`corpus "${corpus}" has no search index yet`);
      const v = info(chosen);
      if (mode === "lexical") {
        const ranked = memoryRanking("bm25", chosen, v.tag, query, k, filter);
        return toHits(v.tag, query, ranked, { lexical: ranked });
      }
      if (!vector) throw new ValidationError(`${mode} search needs a query vector`);
      if (mode === "semantic") {
        const ranked = semantic(v.tag, vector, k, filter);
        return toHits(v.tag, query, ranked, { semantic: ranked });
      }
      const signals = {
        lexical: memoryRanking("bm25", chosen, v.tag, query, CANDIDATES, filter),
        sparse: memoryRanking("sparse", chosen, v.tag, query, CANDIDATES, filter),
        semantic: semantic(v.tag, vector, CANDIDATES, filter),
      };
      const fused = fuseScores([
        { weight: weights.lexical, hits: signals.lexical },
        { weight: weights.sparse, hits: signals.sparse },
        { weight: weights.semantic, hits: signals.semantic },
      ]).slice(0, k);
      return toHits(v.tag, query, fused, signals);
    },

    async sparseSearch(version, query, k) {
      const v = info(version);
      const ranked = memoryRanking("sparse", version, v.tag, query, k);
      return toHits(v.tag, query, ranked, { sparse: ranked });
    },

    async warm(corpus) {
      const version = await this.servingVersion(corpus);
      if (version) signals(version, info(version).tag);
    },

    versionPassages(version) {
      const v = info(version);
      return (db.prepare(`SELECT * FROM ${tables(v.tag).p} ORDER BY rowid`).all() as Row[]).map(toPassage);
    },

    async dropVersion(version) {
      const row = db.prepare("SELECT tag, corpus FROM index_versions WHERE version = ?").get(version) as { tag: string; corpus: string } | undefined;
      if (!row) return;
      const serving = await this.servingVersion(row.corpus);
      if (serving === version) throw new ValidationError(`index version "${version}" is serving corpus "${row.corpus}" and cannot be dropped`);
      const t = tables(row.tag);
      db.transaction(() => {
        db.exec(`DROP TABLE IF EXISTS ${t.fts}; DROP TABLE IF EXISTS ${t.vec}; DROP TABLE IF EXISTS ${t.p};`);
        db.prepare("DELETE FROM index_versions WHERE version = ?").run(version);
      })();
      memory.delete(version);
    },
  };
}
