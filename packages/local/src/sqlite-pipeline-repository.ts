import {
  ConcurrentUpdateError,
  Corpus,
  DocumentRecord,
  IndexVersion,
  ModelVersion,
  Run,
  decodeCursor,
  encodeCursor,
  pageLimit,
  runResources,
  type PageRequest,
  type PipelineRepository,
} from "@genq/core";
import type { z } from "zod";
import type { SqliteDatabase } from "./sqlite.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  corpus TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_corpus ON records (kind, corpus);
`;

type Kind = "corpus" | "document" | "run" | "model" | "index";

/**
 * PipelineRepository on SQLite: one `records` table keyed by (kind, id), the body as JSON validated on
 * read, and compare-and-set done in a single UPDATE … WHERE version = ? so it is atomic across processes.
 */
export function createSqlitePipelineRepository(db: SqliteDatabase): PipelineRepository {
  db.exec(SCHEMA);
  const getStmt = db.prepare<[string, string], { body: string }>("SELECT body FROM records WHERE kind = ? AND id = ?");
  const listStmt = db.prepare<[string, string], { body: string }>(
    "SELECT body FROM records WHERE kind = ? AND corpus = ? ORDER BY id",
  );
  const listKind = db.prepare<[string], { body: string }>("SELECT body FROM records WHERE kind = ? ORDER BY id");
  const insert = db.prepare(
    "INSERT INTO records (kind, id, corpus, version, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const update = db.prepare("UPDATE records SET version = ?, body = ? WHERE kind = ? AND id = ? AND version = ?");
  const upsert = db.prepare(
    "INSERT INTO records (kind, id, corpus, version, body) VALUES (?, ?, ?, 0, ?) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
  );

  const get = <T>(schema: z.ZodType<T>, kind: Kind, id: string): T | null => {
    const row = getStmt.get(kind, id);
    return row ? schema.parse(JSON.parse(row.body)) : null;
  };
  const list = <T>(schema: z.ZodType<T>, kind: Kind, corpus?: string): T[] =>
    (corpus === undefined ? listKind.all(kind) : listStmt.all(kind, corpus)).map((r) =>
      schema.parse(JSON.parse(r.body)),
    );
  const cas = <T extends { version: number }>(
    kind: Kind,
    id: string,
    corpus: string,
    record: T,
    expected: number | null,
  ): T => {
    const next = { ...record, version: expected === null ? 0 : expected + 1 };
    const body = JSON.stringify(next);
    const changes =
      expected === null
        ? insert.run(kind, id, corpus, 0, body).changes
        : update.run(next.version, body, kind, id, expected).changes;
    if (changes !== 1) {
      throw new ConcurrentUpdateError(
        expected === null ? `${kind} "${id}" already exists` : `${kind} "${id}" changed since version ${expected}`,
      );
    }
    return next;
  };
  const docId = (corpus: string, path: string) => `${corpus}/${path}`;
  const after = (page: PageRequest) =>
    page.cursor === undefined
      ? null
      : decodeCursor(page.cursor, (p): p is { after: string } => typeof (p as { after?: unknown })?.after === "string")
          .after;
  const docsPage = db.prepare<[string, string, string | null, string | null, number], { id: string; body: string }>(
    "SELECT id, body FROM records WHERE kind = 'document' AND corpus = ? AND id > ? AND (? IS NULL OR json_extract(body, '$.status') = ?) ORDER BY id LIMIT ?",
  );
  // Runs newest first: by creation time, then id, both descending (the key the cursor carries).
  const runsPage = db.prepare<[string, string, number], { k: string; body: string }>(
    "SELECT json_extract(body, '$.createdAt') || '#' || id AS k, body FROM records WHERE kind = 'run' AND corpus = ? AND json_extract(body, '$.createdAt') || '#' || id < ? ORDER BY k DESC LIMIT ?",
  );
  const stats = db.prepare<
    [string],
    { files: number; chunkedFiles: number; rejectedFiles: number; documents: number; passages: number }
  >(`
    SELECT count(*) AS files,
      coalesce(sum(json_extract(body, '$.status') = 'chunked'), 0) AS chunkedFiles,
      coalesce(sum(json_extract(body, '$.status') = 'rejected'), 0) AS rejectedFiles,
      coalesce(sum(CASE WHEN json_extract(body, '$.status') = 'chunked' THEN json_extract(body, '$.documentCount') ELSE 0 END), 0) AS documents,
      coalesce(sum(json_extract(body, '$.passageCount')), 0) AS passages
    FROM records WHERE kind = 'document' AND corpus = ?`);
  const deleteOne = db.prepare("DELETE FROM records WHERE kind = ? AND id = ? AND version = ?");
  const deleteKind = db.prepare("DELETE FROM records WHERE kind = ? AND corpus = ?");
  const deleteId = db.prepare("DELETE FROM records WHERE kind = ? AND id = ?");

  return {
    async getCorpus(name) {
      return get(Corpus, "corpus", name);
    },
    async listCorpora(tenant) {
      const all = list(Corpus, "corpus");
      return tenant === undefined ? all : all.filter((c) => c.tenant === tenant);
    },
    async putCorpus(corpus, expected) {
      return cas("corpus", corpus.name, corpus.name, corpus, expected);
    },
    async deleteCorpus(name) {
      db.transaction(() => {
        // Model versions are named after their runs; a run's model is the corpus's.
        for (const run of list(Run, "run", name)) deleteId.run("model", runResources.modelId(run.id));
        for (const kind of ["document", "run", "model", "index"] as const) deleteKind.run(kind, name);
        deleteId.run("corpus", name);
      })();
    },
    async getDocument(corpus, path) {
      return get(DocumentRecord, "document", docId(corpus, path));
    },
    async listDocuments(corpus) {
      return list(DocumentRecord, "document", corpus);
    },
    async putDocument(doc, expected) {
      return cas("document", docId(doc.corpus, doc.path), doc.corpus, doc, expected);
    },
    async listDocumentsPage(corpus, page) {
      const limit = pageLimit(page);
      const from = after(page);
      const status = page.status ?? null;
      const rows = docsPage.all(corpus, from === null ? "" : docId(corpus, from), status, status, limit + 1);
      const items = rows.slice(0, limit).map((r) => DocumentRecord.parse(JSON.parse(r.body)));
      return { items, next: rows.length > limit ? encodeCursor({ after: items[items.length - 1]!.path }) : null };
    },
    async documentStats(corpus) {
      // One aggregate over the corpus's records (indexed by kind and corpus): exact, nothing to keep up.
      return { ...stats.get(corpus)! };
    },
    async deleteDocument(corpus, path, expected) {
      if (deleteOne.run("document", docId(corpus, path), expected).changes !== 1) {
        throw new ConcurrentUpdateError(
          `document "${docId(corpus, path)}" changed since version ${expected} (or is gone)`,
        );
      }
    },
    async getRun(id) {
      return get(Run, "run", id);
    },
    async listRuns(corpus) {
      return list(Run, "run", corpus).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async putRun(run, expected) {
      return cas("run", run.id, run.corpus, run, expected);
    },
    async listRunsPage(corpus, page) {
      const limit = pageLimit(page);
      const rows = runsPage.all(corpus, after(page) ?? "\uffff", limit + 1);
      const items = rows.slice(0, limit).map((r) => Run.parse(JSON.parse(r.body)));
      return { items, next: rows.length > limit ? encodeCursor({ after: rows[limit - 1]!.k }) : null };
    },
    async putModelVersion(model) {
      upsert.run("model", model.id, model.corpus, JSON.stringify(model));
    },
    async getModelVersion(id) {
      return get(ModelVersion, "model", id);
    },
    async putIndexVersion(index) {
      upsert.run("index", index.id, index.corpus, JSON.stringify(index));
    },
    async getIndexVersion(id) {
      return get(IndexVersion, "index", id);
    },
    async listIndexVersions(corpus) {
      return list(IndexVersion, "index", corpus);
    },
  };
}
