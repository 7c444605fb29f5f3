import {
  ConcurrentUpdateError,
  Corpus,
  DocumentRecord,
  IndexVersion,
  ModelVersion,
  Run,
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
  const listStmt = db.prepare<[string, string], { body: string }>("SELECT body FROM records WHERE kind = ? AND corpus = ? ORDER BY id");
  const listKind = db.prepare<[string], { body: string }>("SELECT body FROM records WHERE kind = ? ORDER BY id");
  const insert = db.prepare("INSERT INTO records (kind, id, corpus, version, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  const update = db.prepare("UPDATE records SET version = ?, body = ? WHERE kind = ? AND id = ? AND version = ?");
  const upsert = db.prepare(
    "INSERT INTO records (kind, id, corpus, version, body) VALUES (?, ?, ?, 0, ?) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
  );

  const get = <T>(schema: z.ZodType<T>, kind: Kind, id: string): T | null => {
    const row = getStmt.get(kind, id);
    return row ? schema.parse(JSON.parse(row.body)) : null;
  };
  const list = <T>(schema: z.ZodType<T>, kind: Kind, corpus?: string): T[] =>
    (corpus === undefined ? listKind.all(kind) : listStmt.all(kind, corpus)).map((r) => schema.parse(JSON.parse(r.body)));
  const cas = <T extends { version: number }>(kind: Kind, id: string, corpus: string, record: T, expected: number | null): T => {
    const next = { ...record, version: expected === null ? 0 : expected + 1 };
    const body = JSON.stringify(next);
    const changes =
      expected === null ? insert.run(kind, id, corpus, 0, body).changes : update.run(next.version, body, kind, id, expected).changes;
    if (changes !== 1) {
      throw new ConcurrentUpdateError(
        expected === null ? `${kind} "${id}" already exists` : `${kind} "${id}" changed since version ${expected}`,
      );
    }
    return next;
  };
  const docId = (corpus: string, path: string) => `${corpus}/${path}`;

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
    async getDocument(corpus, path) {
      return get(DocumentRecord, "document", docId(corpus, path));
    },
    async listDocuments(corpus) {
      return list(DocumentRecord, "document", corpus);
    },
    async putDocument(doc, expected) {
      return cas("document", docId(doc.corpus, doc.path), doc.corpus, doc, expected);
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
