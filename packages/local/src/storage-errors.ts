import { StorageError } from "@genq/core";

/** SQLite result codes (primary and extended, as better-sqlite3 reports them) that mean the storage itself is unusable. */
const SQLITE_FAULTS: Record<string, "corrupt" | "not-a-database" | "read-only" | "full" | "cannot-open" | "io"> = {
  SQLITE_CORRUPT: "corrupt",
  SQLITE_CORRUPT_VTAB: "corrupt",
  SQLITE_CORRUPT_SEQUENCE: "corrupt",
  SQLITE_CORRUPT_INDEX: "corrupt",
  SQLITE_NOTADB: "not-a-database",
  SQLITE_READONLY: "read-only",
  SQLITE_READONLY_DIRECTORY: "read-only",
  SQLITE_READONLY_DBMOVED: "read-only",
  SQLITE_READONLY_CANTINIT: "read-only",
  SQLITE_READONLY_RECOVERY: "read-only",
  SQLITE_READONLY_CANTLOCK: "read-only",
  SQLITE_READONLY_ROLLBACK: "read-only",
  SQLITE_FULL: "full",
  SQLITE_CANTOPEN: "cannot-open",
  SQLITE_IOERR: "io",
};

const FS_FAULTS: Record<string, "full" | "read-only" | "no-access" | "io"> = {
  ENOSPC: "full",
  EDQUOT: "full",
  EROFS: "read-only",
  EACCES: "no-access",
  EPERM: "no-access",
  EIO: "io",
};

type Fault = "corrupt" | "not-a-database" | "read-only" | "full" | "cannot-open" | "io" | "no-access";

/** What to tell a user about a fault of a file in the data folder. */
function advice(fault: Fault, file: string): string {
  switch (fault) {
    case "corrupt":
      return `${file} is damaged (SQLite reports corruption): run \`genq doctor\` to check it; restore it from a backup, or move it aside and re-ingest`;
    case "not-a-database":
      return `${file} is not a genq database (it is truncated, overwritten or another kind of file): restore it from a backup, or move it aside and re-ingest; \`genq doctor\` tells more`;
    case "read-only":
    case "no-access":
      return `${file} cannot be written (the data folder is read-only or belongs to another user): make it writable, or point --data / GENQ_DATA_DIR at a writable folder; \`genq status\` still reads it`;
    case "full":
      return `the disk holding ${file} is full: free some space, then run the command again (nothing written so far is lost)`;
    case "cannot-open":
      return `${file} cannot be opened (a missing or unreadable folder): check the path and its permissions, or point --data / GENQ_DATA_DIR elsewhere`;
    case "io":
      return `reading or writing ${file} failed at the disk level: check the disk, then run \`genq doctor\``;
  }
}

/** The kind of storage fault an error is, or null when it is something else. */
export function faultOf(error: unknown): Fault | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  if (code.startsWith("SQLITE_"))
    return (
      SQLITE_FAULTS[code] ??
      (code.startsWith("SQLITE_IOERR") ? "io" : code.startsWith("SQLITE_CORRUPT") ? "corrupt" : null)
    );
  return FS_FAULTS[code] ?? null;
}

/**
 * Translate a storage fault (a damaged, read-only or full database or bucket) into a StorageError whose
 * message names the file and what to do; anything else (including a StorageError already) is returned
 * as null so callers rethrow it unchanged.
 */
export function storageFault(error: unknown, file: string): StorageError | null {
  if (error instanceof StorageError) return error;
  const fault = faultOf(error);
  if (!fault) return null;
  const path = (error as { path?: unknown }).path;
  return new StorageError(advice(fault, typeof path === "string" ? path : file), { cause: error });
}
