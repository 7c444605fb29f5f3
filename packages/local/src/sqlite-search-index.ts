import {
  DEFAULT_HYBRID_WEIGHTS,
  NotFoundError,
  ValidationError,
  fuseScores,
  reciprocalRankFusion,
  metadataTerms,
  type HybridWeights,
  type IndexItem,
  type ScoredIndex,
  type SearchFilter,
  type SearchHit,
  type SearchIndex,
} from "@genq/core";
import type { Statement } from "better-sqlite3";
import type { SqliteDatabase } from "./sqlite.ts";
import { searchHits } from "./sqlite-search-hits.ts";
import { createVersionSignals } from "./sqlite-version-signals.ts";
import { createIndexTables, filterSql, tables, upgradeVersionTables } from "./sqlite-index-tables.ts";

/** A row of `index_versions`. */
interface VersionRow {
  version: string;
  corpus: string;
  tag: string;
  dims: number;
  tenant: string;
  state: string;
}

/** How many candidates each signal contributes to a hybrid search. */
const CANDIDATES = 100;

export interface SqliteSearchIndexOptions {
  weights?: HybridWeights;
  /** How hybrid search mixes its signals: min-max-normalised weighted scores (default) or reciprocal-rank fusion. */
  fusion?: "normalized" | "rrf";
  /** Passages from which vector search uses the HNSW graph instead of the exact scan. */
  annThreshold?: number;
  /**
   * Called before a version is promoted, and awaited: where another thread serves the searches, it
   * builds the version's memory signals there first, so no search there waits for them.
   */
  beforePromote?: (version: string) => Promise<void>;
}

/**
 * SearchIndex in SQLite. Every version has its own tables: passages and a sqlite-vec table (cosine;
 * it serves filtered vector searches). Unfiltered searches run on the version's memory signals — BM25,
 * TF-IDF cosine and an exact vector scan in typed arrays — loaded from those tables on promotion or at
 * start (FTS5 is not used: its bm25() idf measurably weakens BM25, see memory-signals.ts). Promotion is one UPDATE in a transaction, so a
 * search sees the old serving version or the new one, never a half-built one. Every write to a version
 * logs the rows it added and removed (`index_changes`) in the same transaction; a search that finds the
 * log moved on (written by this process or another sharing the file) first applies those changes to the
 * version's memory signals (a small segment of fresh rows, removed rows left out; see live-signals.ts),
 * so a replaced or deleted document is never found afterwards and a fresh one is found at once.
 * Filters (source path or its prefix, document, metadata terms kept in a side table) select rows in SQL.
 */
export function createSqliteSearchIndex(
  db: SqliteDatabase,
  options: SqliteSearchIndexOptions = {},
): SearchIndex & {
  sparseSearch(version: string, query: string, k: number): Promise<SearchHit[]>;
  /** Load a corpus's serving version's in-memory signals now rather than on its first search. */
  warm(corpus: string): Promise<void>;
  /** `prepare`, giving the event loop back after at most `sliceMs` of work (default 8). */
  prepare(version: string, sliceMs?: number): Promise<void>;
  /** Let go of every version's memory signals (a process that does not serve searches, between runs). */
  release(): void;
  /** How many versions have their memory signals held. */
  readonly held: number;
} {
  createIndexTables(db);
  const weights = options.weights ?? DEFAULT_HYBRID_WEIGHTS;
  const statements = new Map<string, Statement<unknown[]>>();
  /** Prepared statements are compiled once per SQL text (searches run the same few over and over). */
  const sql = (text: string) => {
    let st = statements.get(text);
    if (!st) statements.set(text, (st = db.prepare<unknown[]>(text)));
    return st;
  };
  const logChange = (version: string, op: "add" | "remove", row: number) =>
    sql("INSERT INTO index_changes (version, op, row) VALUES (?, ?, ?)").run(version, op, row);

  const readyInfo = new Map<string, VersionRow>();
  const info = (version: string) => {
    const cached = readyInfo.get(version);
    if (cached) return cached;
    const row = sql("SELECT * FROM index_versions WHERE version = ?").get(version) as VersionRow | undefined;
    if (!row) throw new NotFoundError(`index version "${version}" not found`);
    if (row.state === "ready") readyInfo.set(version, row);
    return row;
  };
  const upgraded = new Set<string>();
  const upgrade = (tag: string) => {
    if (upgraded.has(tag)) return;
    upgradeVersionTables(db, tag);
    upgraded.add(tag);
    statements.clear();
  };

  /** The rows a filter keeps. */
  const allowedRows = (tag: string, filter: SearchFilter): Set<number> => {
    const f = filterSql(tag, filter);
    return new Set(
      (
        sql(`SELECT p.rowid AS rowid FROM ${tables(tag).p} p WHERE 1 = 1${f.where}`).all(...f.args) as Array<{
          rowid: number;
        }>
      ).map((r) => r.rowid),
    );
  };

  const semantic = (
    version: string,
    tag: string,
    vector: Float32Array,
    k: number,
    filter?: SearchFilter,
  ): ScoredIndex[] => {
    // A query with no feature the model knows (stop words, punctuation) encodes to zeros: it is close to
    // nothing, and cosine against it would rank every passage alike (or all as perfect matches).
    if (!vector.some((x) => x !== 0)) return [];
    if (!filter) return signals(version, tag).dense(vector, k);
    const t = tables(tag);
    const f = filterSql(tag, filter);
    const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const rows = f.where
      ? (sql(
          `SELECT v.rowid AS rowid, vec_distance_cosine(v.embedding, ?) AS distance FROM ${t.vec} v JOIN ${t.p} p ON p.rowid = v.rowid WHERE 1 = 1${f.where} ORDER BY distance, v.rowid LIMIT ?`,
        ).all(blob, ...f.args, k) as Array<{ rowid: number; distance: number }>)
      : (sql(`SELECT rowid, distance FROM ${t.vec} WHERE embedding MATCH ? AND k = ? ORDER BY distance`).all(
          blob,
          k,
        ) as Array<{ rowid: number; distance: number }>);
    return rows.map((r) => ({ index: r.rowid, score: 1 - r.distance }));
  };

  const memory = createVersionSignals(db, sql, { annThreshold: options.annThreshold });
  const signals = memory.of;

  /**
   * A version belongs to one corpus, so its tenant (recorded at creation) is one value: a tenant filter
   * either keeps the whole version (and is dropped, keeping the fast paths) or nothing (null).
   */
  const narrow = (owner: string, filter?: SearchFilter): SearchFilter | undefined | null => {
    if (!filter) return undefined;
    const { tenant, ...rest } = filter;
    if (tenant !== undefined && tenant !== owner) return null;
    const narrowed =
      rest.sourcePath === undefined &&
      rest.documentId === undefined &&
      rest.sourcePathPrefix === undefined &&
      !Object.keys(rest.metadata ?? {}).length;
    return narrowed ? undefined : rest;
  };

  /** A memory signal's ranking; with a filter, every match is ranked and the filter's rows kept. */
  const memoryRanking = (
    signal: "bm25" | "sparse",
    version: string,
    tag: string,
    query: string,
    k: number,
    filter?: SearchFilter,
  ): ScoredIndex[] => {
    const s = signals(version, tag);
    if (!filter) return s[signal](query, k);
    const allowed = allowedRows(tag, filter);
    if (!allowed.size) return [];
    return s[signal](query, k, (rowid) => allowed.has(rowid));
  };

  const toHits = searchHits(sql);

  /**
   * One transaction: remove every passage of `sourcePaths` and every passage `items` replaces, add the
   * items (their metadata terms in the side table), count the version's changes up.
   */
  const write = (version: string, sourcePaths: readonly string[], items: ReadonlyArray<IndexItem>) => {
    const v = info(version);
    upgrade(v.tag);
    const t = tables(v.tag);
    const findRow = sql(`SELECT rowid FROM ${t.p} WHERE passage_id = ?`);
    const rowsOfPath = sql(`SELECT rowid FROM ${t.p} WHERE source_path = ?`);
    const insertRow = sql(
      `INSERT INTO ${t.p} (passage_id, corpus, document_id, source_path, title, text, ordinal, tenant, revision, trained, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const vecDelete = sql(`DELETE FROM ${t.vec} WHERE rowid = ?`);
    const vecInsert = sql(`INSERT INTO ${t.vec} (rowid, embedding) VALUES (?, ?)`);
    const deleteRow = sql(`DELETE FROM ${t.p} WHERE rowid = ?`);
    const deleteTerms = sql(`DELETE FROM ${t.m} WHERE rowid = ?`);
    const insertTerm = sql(`INSERT INTO ${t.m} (rowid, term) VALUES (?, ?)`);
    const remove = (rowid: number) => {
      vecDelete.run(BigInt(rowid));
      deleteTerms.run(rowid);
      deleteRow.run(rowid);
      logChange(version, "remove", rowid);
    };
    db.transaction(() => {
      for (const path of sourcePaths) for (const r of rowsOfPath.all(path) as Array<{ rowid: number }>) remove(r.rowid);
      for (const { passage: p, vector, trained } of items) {
        if (vector.length !== v.dims)
          throw new ValidationError(
            `vector for passage ${p.id} has ${vector.length} dimensions, the index expects ${v.dims}`,
          );
        const old = findRow.get(p.id) as { rowid: number } | undefined;
        if (old) remove(old.rowid);
        const metadata = p.metadata && Object.keys(p.metadata).length ? JSON.stringify(p.metadata) : null;
        const rowid = Number(
          insertRow.run(
            p.id,
            p.corpus,
            p.documentId,
            p.sourcePath,
            p.title,
            p.text,
            p.ordinal,
            v.tenant,
            p.revision ?? "",
            trained === false ? 0 : 1,
            metadata,
          ).lastInsertRowid,
        );
        vecInsert.run(BigInt(rowid), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        for (const term of metadataTerms(p.metadata)) insertTerm.run(rowid, term);
        logChange(version, "add", rowid);
      }
      // Immediate: a write that began by reading would fail at once (SQLITE_BUSY, no busy wait) when
      // another process wrote in between; taking the write lock first makes it wait its turn instead.
    }).immediate();
  };

  return {
    async createVersion({ corpus, version, dimensions, tenant }) {
      if (!Number.isInteger(dimensions) || dimensions <= 0)
        throw new ValidationError("index dimensions must be a positive integer");
      const existing = db.prepare("SELECT state FROM index_versions WHERE version = ?").get(version) as
        { state: string } | undefined;
      if (existing?.state === "ready") return;
      if (existing) await this.dropVersion(version);
      const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      const t = tables(tag);
      db.transaction(() => {
        // AUTOINCREMENT: a replaced passage never takes the row id of the one it replaced.
        db.exec(
          `CREATE TABLE ${t.p} (rowid INTEGER PRIMARY KEY AUTOINCREMENT, passage_id TEXT NOT NULL UNIQUE, corpus TEXT NOT NULL, document_id TEXT NOT NULL, source_path TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, ordinal INTEGER NOT NULL, tenant TEXT NOT NULL, revision TEXT NOT NULL DEFAULT '', trained INTEGER NOT NULL DEFAULT 1, metadata TEXT)`,
        );
        db.exec(`CREATE VIRTUAL TABLE ${t.vec} USING vec0(embedding float[${dimensions}] distance_metric=cosine)`);
        db.prepare(
          "INSERT INTO index_versions (version, corpus, tag, dims, tenant, state, created_at) VALUES (?, ?, ?, ?, ?, 'building', ?)",
        ).run(version, corpus, tag, dimensions, tenant, new Date().toISOString());
      })();
    },

    async upsert(version, items) {
      write(version, [], items);
    },

    async replaceDocuments(version, { sourcePaths, items }) {
      write(version, sourcePaths, items);
    },

    async documents(version, sourcePaths) {
      const v = info(version);
      upgrade(v.tag);
      const t = tables(v.tag);
      const rows = sourcePaths
        ? sourcePaths.flatMap(
            (path) =>
              sql(
                `SELECT source_path AS sourcePath, max(revision) AS revision FROM ${t.p} WHERE source_path = ? GROUP BY source_path`,
              ).all(path) as Array<{ sourcePath: string; revision: string }>,
          )
        : (sql(
            `SELECT source_path AS sourcePath, max(revision) AS revision FROM ${t.p} GROUP BY source_path ORDER BY source_path`,
          ).all() as Array<{ sourcePath: string; revision: string }>);
      return rows;
    },

    async counts(version) {
      const v = info(version);
      upgrade(v.tag);
      const row = sql(
        `SELECT count(*) AS passages, coalesce(sum(trained = 0), 0) AS untrained FROM ${tables(v.tag).p}`,
      ).get() as { passages: number; untrained: number };
      return { passages: row.passages, untrained: row.untrained };
    },

    async unserve(corpus) {
      db.prepare("DELETE FROM index_serving WHERE corpus = ?").run(corpus);
    },

    async prepare(version: string, sliceMs?: number) {
      const v = info(version);
      upgrade(v.tag);
      const current = () =>
        (sql("SELECT tag FROM index_versions WHERE version = ?").get(version) as { tag: string } | undefined)?.tag ===
        v.tag;
      await memory.prepare(version, v.tag, current, sliceMs);
    },

    async promote(corpus, version) {
      const v = info(version);
      if (v.corpus !== corpus)
        throw new ValidationError(`index version "${version}" belongs to corpus "${v.corpus}", not "${corpus}"`);
      await options.beforePromote?.(version);
      db.transaction(() => {
        db.prepare("UPDATE index_versions SET state = 'ready' WHERE version = ?").run(version);
        db.prepare(
          "INSERT INTO index_serving (corpus, version) VALUES (?, ?) ON CONFLICT (corpus) DO UPDATE SET version = excluded.version",
        ).run(corpus, version);
      })();
      signals(version, v.tag);
    },

    async servingVersion(corpus) {
      const serving =
        (sql("SELECT version FROM index_serving WHERE corpus = ?").get(corpus) as { version: string } | undefined)
          ?.version ?? null;
      // The corpus moved to another version (promoted here or by another connection): the one it left
      // serves no search of this connection any more.
      memory.served(corpus, serving);
      return serving;
    },

    async search({ corpus, version, query, vector, k, mode, weights: requestedWeights, filter: requested }) {
      const chosen = version ?? (await this.servingVersion(corpus));
      if (!chosen) throw new NotFoundError(`corpus "${corpus}" has no search index yet`);
      const v = info(chosen);
      upgrade(v.tag);
      const filter = narrow(v.tenant, requested);
      if (filter === null) return [];
      if (mode === "lexical") {
        const ranked = memoryRanking("bm25", chosen, v.tag, query, k, filter);
        return toHits(v.tag, query, ranked, { lexical: ranked });
      }
      if (!vector) throw new ValidationError(`${mode} search needs a query vector`);
      if (mode === "semantic") {
        const ranked = semantic(chosen, v.tag, vector, k, filter);
        return toHits(v.tag, query, ranked, { semantic: ranked });
      }
      const signals = {
        lexical: memoryRanking("bm25", chosen, v.tag, query, CANDIDATES, filter),
        sparse: memoryRanking("sparse", chosen, v.tag, query, CANDIDATES, filter),
        semantic: semantic(chosen, v.tag, vector, CANDIDATES, filter),
      };
      const fuse = options.fusion === "rrf" ? reciprocalRankFusion : fuseScores;
      const w = requestedWeights ?? weights;
      const fused = fuse([
        { weight: w.lexical, hits: signals.lexical },
        { weight: w.sparse, hits: signals.sparse },
        { weight: w.semantic, hits: signals.semantic },
      ]).slice(0, k);
      return toHits(v.tag, query, fused, signals);
    },

    async sparseSearch(version, query, k) {
      const v = info(version);
      const ranked = memoryRanking("sparse", version, v.tag, query, k);
      return toHits(v.tag, query, ranked, { sparse: ranked });
    },

    release: () => memory.release(),

    get held() {
      return memory.held;
    },

    async warm(corpus) {
      const version = await this.servingVersion(corpus);
      if (version) signals(version, info(version).tag);
    },

    async dropVersion(version) {
      const row = db.prepare("SELECT tag, corpus FROM index_versions WHERE version = ?").get(version) as
        { tag: string; corpus: string } | undefined;
      if (!row) return;
      const serving = await this.servingVersion(row.corpus);
      if (serving === version)
        throw new ValidationError(`index version "${version}" is serving corpus "${row.corpus}" and cannot be dropped`);
      const t = tables(row.tag);
      db.transaction(() => {
        db.exec(`DROP TABLE IF EXISTS ${t.vec}; DROP TABLE IF EXISTS ${t.p}; DROP TABLE IF EXISTS ${t.m};`);
        db.prepare("DELETE FROM index_versions WHERE version = ?").run(version);
        db.prepare("DELETE FROM index_changes WHERE version = ?").run(version);
      })();
      memory.forget(version);
      readyInfo.delete(version);
      statements.clear();
    },
  };
}
