import { metadataTerms, type SearchFilter } from "@genq/core";
import type { SqliteDatabase } from "./sqlite.ts";

const SHARED_TABLES = `
CREATE TABLE IF NOT EXISTS index_versions (
  version TEXT PRIMARY KEY,
  corpus TEXT NOT NULL,
  tag TEXT NOT NULL UNIQUE,
  dims INTEGER NOT NULL,
  tenant TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_serving (corpus TEXT PRIMARY KEY, version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS index_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, version TEXT NOT NULL, op TEXT NOT NULL, row INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS index_changes_by_version ON index_changes (version, seq);
`;

/**
 * Make the index's shared tables (its versions, which version serves each corpus, the change log) where
 * they are missing, and give older databases what later releases added. Idempotent.
 */
export function createIndexTables(db: SqliteDatabase): void {
  db.exec(SHARED_TABLES);
  // Databases made before versions recorded their tenant gain the column (existing versions: no tenant).
  const columns = db.prepare("PRAGMA table_info(index_versions)").all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === "tenant"))
    db.exec("ALTER TABLE index_versions ADD COLUMN tenant TEXT NOT NULL DEFAULT ''");
}

/** The tables of an index version: its passages, their vectors (sqlite-vec) and their metadata terms. */
export const tables = (tag: string) => ({ p: `p_${tag}`, vec: `vec_${tag}`, m: `m_${tag}` });

/** Columns a version's passages table gained after it was first made (added to older tables on use). */
const LATER_COLUMNS = {
  revision: "TEXT NOT NULL DEFAULT ''",
  trained: "INTEGER NOT NULL DEFAULT 1",
  metadata: "TEXT",
} as const;

/** Give a version's tables what later releases added: columns, the metadata side table, the path index. Idempotent. */
export function upgradeVersionTables(db: SqliteDatabase, tag: string): void {
  const t = tables(tag);
  const have = new Set((db.prepare(`PRAGMA table_info(${t.p})`).all() as Array<{ name: string }>).map((c) => c.name));
  db.transaction(() => {
    for (const [name, type] of Object.entries(LATER_COLUMNS))
      if (!have.has(name)) db.exec(`ALTER TABLE ${t.p} ADD COLUMN ${name} ${type}`);
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${t.m} (rowid INTEGER NOT NULL, term TEXT NOT NULL); CREATE INDEX IF NOT EXISTS ${t.m}_term ON ${t.m} (term); CREATE INDEX IF NOT EXISTS ${t.m}_row ON ${t.m} (rowid); CREATE INDEX IF NOT EXISTS ${t.p}_path ON ${t.p} (source_path);`,
    );
  })();
}

/**
 * A filter as SQL over a version's passages table aliased `p`: source path (exact or prefix), document,
 * and per metadata key a match on its `key=value` terms (any of a list's values).
 */
export function filterSql(tag: string, filter?: SearchFilter): { where: string; args: string[] } {
  const clauses: string[] = [];
  const args: string[] = [];
  const add = (clause: string, ...values: string[]) => {
    clauses.push(clause);
    args.push(...values);
  };
  if (filter?.sourcePath !== undefined) add("p.source_path = ?", filter.sourcePath);
  if (filter?.documentId !== undefined) add("p.document_id = ?", filter.documentId);
  if (filter?.sourcePathPrefix !== undefined)
    add("substr(p.source_path, 1, length(?)) = ?", filter.sourcePathPrefix, filter.sourcePathPrefix);
  for (const [key, value] of Object.entries(filter?.metadata ?? {})) {
    const terms = metadataTerms({ [key]: value });
    add(`p.rowid IN (SELECT rowid FROM ${tables(tag).m} WHERE term IN (${terms.map(() => "?").join(",")}))`, ...terms);
  }
  return { where: clauses.length ? ` AND ${clauses.join(" AND ")}` : "", args };
}
