import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { NotFoundError, ValidationError, isSafeRelativePath, type BlobInfo, type BlobStore } from "@genq/core";

const TMP_DIR = ".tmp";

/**
 * BlobStore on a folder: keys map to files under `root`. Writes go to a temporary file that is renamed
 * into place, so a reader (or a crash) never sees half an object. Keys that could escape the root
 * (`..`, absolute paths) are refused.
 */
export function createFolderBlobStore(root: string): BlobStore {
  const pathOf = (key: string) => {
    if (!isSafeRelativePath(key)) throw new ValidationError(`invalid object key "${key}"`);
    return join(root, ...key.split("/"));
  };
  const tmpPath = async () => {
    await mkdir(join(root, TMP_DIR), { recursive: true });
    return join(root, TMP_DIR, randomUUID());
  };
  const publish = async (tmp: string, key: string) => {
    const target = pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
  };
  const missing = (key: string, cause: unknown): never => {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`object "${key}" not found`, { cause });
    throw cause;
  };

  return {
    async put(key, body) {
      const target = pathOf(key);
      const tmp = await tmpPath();
      await writeFile(tmp, body);
      await publish(tmp, key).catch(async (e) => {
        await rm(tmp, { force: true });
        throw e;
      });
      void target;
    },
    async putStream(key, body) {
      pathOf(key);
      const tmp = await tmpPath();
      try {
        await pipeline(Readable.from(body), createWriteStream(tmp));
        await publish(tmp, key);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
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
        return s.isFile() ? { key, size: s.size, modifiedAt: s.mtime.toISOString() } : null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
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
          if (key === TMP_DIR) continue;
          if (entry.isDirectory()) {
            if (prefix.startsWith(`${key}/`) || key.startsWith(prefix) || `${key}/`.startsWith(prefix)) await walk(full);
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
      await rm(pathOf(key), { force: true });
    },
  };
}
