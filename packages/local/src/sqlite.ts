import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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
    // A WAL database in a folder this user may not write cannot get its shared-memory file: read a
    // private copy instead (it is only looked at, and no genq process can be writing there).
    if (String((error as { code?: string }).code).startsWith("SQLITE_READONLY")) db = openCopy(path);
    else throw error;
  }
  db.pragma("busy_timeout = 5000");
  sqliteVec.load(db);
  return db;
}

/** Open a copy of the database (and its write-ahead log) in a temporary folder, removed again on close. */
function openCopy(path: string): SqliteDatabase {
  const dir = mkdtempSync(join(tmpdir(), "genq-readonly-"));
  const copy = join(dir, "genq.db");
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  const db = new Database(copy, { readonly: true, fileMustExist: true });
  const close = db.close.bind(db);
  db.close = () => {
    close();
    rmSync(dir, { recursive: true, force: true });
    return db;
  };
  return db;
}
