import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  isSafeRelativePath,
  type BlobInfo,
  type BlobStore,
} from "@genq/core";
import { storageFault } from "./storage-errors.ts";

const TMP_DIR = ".tmp";
/** User metadata lives beside the objects, as `<root>/.meta/<key>.json` (S3 keeps it with the object). */
const META_DIR = ".meta";

/** Whether a process with this id is running (temporary files are named after their writer). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove temporary files that no running process is writing: those of processes that died (a crash, a
 * kill, a full disk), and unnamed ones older than an hour. Returns how many were removed and their bytes.
 */
export function cleanTemporaryFiles(root: string): { files: number; bytes: number } {
  const dir = join(root, TMP_DIR);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return { files: 0, bytes: 0 };
  }
  let files = 0;
  let bytes = 0;
  for (const name of entries) {
    const full = join(dir, name);
    const pid = /^(\d+)-/.exec(name)?.[1];
    try {
      const s = statSync(full);
      // A live writer's files stay (this process's too); nameless ones get an hour.
      if (pid ? alive(Number(pid)) : Date.now() - s.mtimeMs < 3_600_000) continue;
      rmSync(full, { force: true, recursive: true });
      files++;
      bytes += s.size;
    } catch {
      // Gone already (another process cleaned it): nothing to do.
    }
  }
  return { files, bytes };
}

/**
 * Errors that mean no object has the key: nothing there (ENOENT), a path through an object
 * (ENOTDIR: `x.txt/inner.md` while `x.txt` is one), or a name longer than a file name may be.
 */
const isAbsent = (error: unknown): boolean =>
  ["ENOENT", "ENOTDIR", "ENAMETOOLONG"].includes((error as NodeJS.ErrnoException).code ?? "");

/**
 * BlobStore on a folder: keys map to files under `root`. Writes go to a temporary file (named after the
 * writing process) that is renamed into place, so a reader (or a crash) never sees half an object; a
 * failed write removes its temporary file, and temporary files of processes that died are removed when
 * a store is created. Keys that could escape the root (`..`, absolute paths) are refused; a key whose
 * folder is a file, or that is a folder, is a ConflictError; a full disk or a read-only folder is a
 * StorageError naming the file. `readOnly` leaves temporary files alone (for commands that only look).
 * An object's user metadata is kept in a side file, written before the object and replaced (or removed)
 * by every write of it, as S3 replaces it.
 */
export function createFolderBlobStore(root: string, options: { readOnly?: boolean } = {}): BlobStore {
  if (!options.readOnly) cleanTemporaryFiles(root);
  const pathOf = (key: string) => {
    if (!isSafeRelativePath(key)) throw new ValidationError(`invalid object key "${key}"`);
    return join(root, ...key.split("/"));
  };
  const tmpPath = async () => {
    await mkdir(join(root, TMP_DIR), { recursive: true });
    return join(root, TMP_DIR, `${process.pid}-${randomUUID()}`);
  };
  const translate = (key: string, error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR" || code === "EEXIST")
      throw new ConflictError(`object "${key}" cannot be stored: a folder on its path is an object`, { cause: error });
    if (code === "EISDIR")
      throw new ConflictError(`object "${key}" cannot be stored: it is a folder of objects`, { cause: error });
    if (code === "ENAMETOOLONG")
      throw new ValidationError(`object "${key}" has a name too long for the file system`, { cause: error });
    throw storageFault(error, pathOf(key)) ?? error;
  };
  const publish = async (tmp: string, key: string) => {
    const target = pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
  };
  const metaPath = (key: string) => join(root, META_DIR, ...`${key}.json`.split("/"));
  const writeMeta = async (key: string, metadata: Record<string, string> | undefined) => {
    pathOf(key);
    if (!metadata || !Object.keys(metadata).length) return void (await rm(metaPath(key), { force: true }));
    const tmp = await tmpPath();
    try {
      await writeFile(tmp, JSON.stringify(metadata));
      await mkdir(dirname(metaPath(key)), { recursive: true });
      await rename(tmp, metaPath(key));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  };
  const missing = (key: string, cause: unknown): never => {
    if (isAbsent(cause)) throw new NotFoundError(`object "${key}" not found`, { cause });
    throw cause;
  };

  return {
    async put(key, body, options) {
      pathOf(key);
      const tmp = await tmpPath().catch((error: unknown) => translate(key, error));
      try {
        await writeMeta(key, options?.metadata);
        await writeFile(tmp, body);
        await publish(tmp, key);
      } catch (error) {
        await rm(tmp, { force: true });
        translate(key, error);
      }
    },
    async putStream(key, body) {
      pathOf(key);
      const tmp = await tmpPath().catch((error: unknown) => translate(key, error));
      try {
        await writeMeta(key, undefined);
        await pipeline(Readable.from(body), createWriteStream(tmp));
        await publish(tmp, key);
      } catch (error) {
        await rm(tmp, { force: true });
        translate(key, error);
      }
    },
    async get(key) {
      try {
        const bytes = await readFile(pathOf(key));
        // A view, not a copy: models are tens of MB, and copying them stalls the thread.
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        return missing(key, error);
      }
    },
    async getStream(key) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch (error) {
        return missing(key, error);
      }
      return createReadStream(path);
    },
    async head(key) {
      try {
        const s = await stat(pathOf(key));
        if (!s.isFile()) return null;
        const metadata = await readFile(metaPath(key), "utf8").then(
          (t) => JSON.parse(t) as Record<string, string>,
          () => undefined,
        );
        return { key, size: s.size, modifiedAt: s.mtime.toISOString(), ...(metadata ? { metadata } : {}) };
      } catch (error) {
        if (isAbsent(error)) return null;
        throw error;
      }
    },
    async list(prefix) {
      const out: BlobInfo[] = [];
      const walk = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
          throw error;
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          const key = relative(root, full).split(sep).join("/");
          if (key === TMP_DIR || key === META_DIR) continue;
          if (entry.isDirectory()) {
            if (prefix.startsWith(`${key}/`) || key.startsWith(prefix) || `${key}/`.startsWith(prefix))
              await walk(full);
          } else if (entry.isFile() && key.startsWith(prefix)) {
            const s = await stat(full);
            out.push({ key, size: s.size, modifiedAt: s.mtime.toISOString() });
          }
        }
      };
      await walk(root);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async delete(key) {
      for (const path of [pathOf(key), metaPath(key)]) {
        await rm(path, { force: true }).catch((error: unknown) => {
          if (!isAbsent(error)) throw error;
        });
      }
    },
    async deletePrefix(prefix) {
      const doomed = await this.list(prefix);
      for (const b of doomed) await this.delete(b.key);
      // A folder prefix leaves no empty folders behind (a deleted corpus leaves nothing on disk).
      if (prefix.endsWith("/") && isSafeRelativePath(prefix.slice(0, -1))) {
        await rm(join(root, ...prefix.slice(0, -1).split("/")), { recursive: true, force: true });
        await rm(join(root, META_DIR, ...prefix.slice(0, -1).split("/")), { recursive: true, force: true });
      }
      return doomed.length;
    },
  };
}
