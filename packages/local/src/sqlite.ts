import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type SqliteDatabase = Database.Database;

/**
 * Open (or create) genq's SQLite database: WAL journal so readers never block the writer, a busy
 * timeout so a second process waits instead of failing, memory-mapped I/O for fast vector scans, and
 * the sqlite-vec extension loaded.
 */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("mmap_size = 1073741824");
  sqliteVec.load(db);
  return db;
}
