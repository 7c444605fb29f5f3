import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { storageFault } from "./storage-errors.ts";

export type SqliteDatabase = Database.Database;

/**
 * Open (or create) genq's SQLite database: WAL journal so readers never block the writer, a busy
 * timeout so a second process waits instead of failing, memory-mapped I/O for fast vector scans, and
 * the sqlite-vec extension loaded. With `readOnly` the file must exist and nothing is written (for
 * commands that only look, so they work on a read-only data folder too). A file that is damaged, not
 * a database, read-only or on a full disk throws a StorageError naming the file and what to do.
 */
export function openDatabase(path: string, options: { readOnly?: boolean } = {}): SqliteDatabase {
  try {
    if (options.readOnly) return openReadOnly(path);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      db.pragma("mmap_size = 1073741824");
      sqliteVec.load(db);
      // Reading the schema is what notices a file that is not a database, or one cut short.
      db.prepare("SELECT count(*) FROM sqlite_master").get();
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  } catch (error) {
    throw storageFault(error, path) ?? error;
  }
}

function openReadOnly(path: string): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare("SELECT count(*) FROM sqlite_master").get();
  } catch (error) {
    // A WAL database in a folder nobody may write cannot get its shared-memory file: read it as an
    // immutable file instead (it is only looked at, and no genq process can be writing there).
    if ((error as { code?: string }).code === "SQLITE_CANTOPEN" || String((error as { code?: string }).code).startsWith("SQLITE_READONLY")) {
      db = new Database(`file:${encodeURI(path)}?immutable=1`, { readonly: true, fileMustExist: true });
    } else throw error;
  }
  db.pragma("busy_timeout = 5000");
  sqliteVec.load(db);
  return db;
}
