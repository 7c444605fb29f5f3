import { accessSync, constants, existsSync, readdirSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import { eventIds, keys, reasonOf } from "@genq/core";
import { cleanTemporaryFiles, openDatabase, storageFault } from "@genq/local";
import type { LocalConfig } from "./config.ts";
import { drainAll } from "./ingest-folder.ts";
import { createLocalDeps } from "./local-deps.ts";
import { printable } from "./status.ts";

export interface DoctorCheck {
  name: string;
  status: "ok" | "warn" | "fail" | "repaired";
  detail: string;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Temporary files waiting in the bucket's `.tmp` folder: how many and their bytes. */
function temporaryFiles(bucket: string): { files: number; bytes: number } {
  const dir = join(bucket, ".tmp");
  if (!existsSync(dir)) return { files: 0, bytes: 0 };
  let bytes = 0;
  const names = readdirSync(dir);
  for (const n of names) bytes += statSync(join(dir, n), { throwIfNoEntry: false })?.size ?? 0;
  return { files: names.length, bytes };
}

/**
 * `genq doctor`: check the data folder — that it can be written, that the disk has room, that genq.db
 * is an intact SQLite database, that no temporary files are left over, that every chunked document's
 * passages are in the store, and whether events were dead-lettered. With `repair`, fix what is safe to
 * fix: remove temporary files of processes that ended, rebuild a damaged index (REINDEX) when that is
 * all that is wrong, re-chunk documents whose passages went missing (from their stored copy), and
 * checkpoint the write-ahead log. A database that stays damaged is never touched further: the check
 * says to restore it or move it aside.
 */
export async function runDoctor(config: LocalConfig, options: { repair: boolean }): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const dbPath = join(config.dataDir, "genq.db");
  const bucket = join(config.dataDir, "bucket");
  if (!existsSync(config.dataDir)) {
    return [
      {
        name: "data folder",
        status: "ok",
        detail: `${config.dataDir} does not exist yet (it is created by the first ingest)`,
      },
    ];
  }

  let writable = true;
  try {
    accessSync(config.dataDir, constants.W_OK);
    if (existsSync(dbPath)) accessSync(dbPath, constants.W_OK);
    checks.push({ name: "data folder", status: "ok", detail: `${config.dataDir} is writable` });
  } catch {
    writable = false;
    checks.push({
      name: "data folder",
      status: "fail",
      detail: `${config.dataDir} cannot be written: make it writable, or point --data / GENQ_DATA_DIR elsewhere (genq status still reads it)`,
    });
  }

  const fs = statfsSync(config.dataDir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  checks.push(
    free < 100 * 1024 * 1024
      ? {
          name: "disk space",
          status: "warn",
          detail: `only ${mb(free)} free on the disk holding ${config.dataDir}: free some space before ingesting or running`,
        }
      : { name: "disk space", status: "ok", detail: `${mb(free)} free` },
  );

  let intact = false;
  if (!existsSync(dbPath)) {
    checks.push({ name: "database", status: "ok", detail: `${dbPath} does not exist yet` });
  } else {
    try {
      const db = openDatabase(dbPath, { readOnly: !writable || !options.repair });
      try {
        let problems = (db.pragma("quick_check(20)") as Array<{ quick_check: string }>)
          .map((r) => r.quick_check)
          .filter((r) => r !== "ok");
        if (problems.length && options.repair && writable && problems.every((p) => /index/i.test(p))) {
          db.exec("REINDEX");
          problems = (db.pragma("quick_check(20)") as Array<{ quick_check: string }>)
            .map((r) => r.quick_check)
            .filter((r) => r !== "ok");
          if (!problems.length)
            checks.push({
              name: "database",
              status: "repaired",
              detail: `${dbPath}: damaged indexes rebuilt (REINDEX); the integrity check passes now`,
            });
        }
        if (problems.length) {
          checks.push({
            name: "database",
            status: "fail",
            detail: `${dbPath} is damaged (${problems.slice(0, 3).map(printable).join("; ")}): restore it from a backup, or move it aside and re-ingest`,
          });
        } else {
          intact = true;
          if (!checks.some((c) => c.name === "database"))
            checks.push({
              name: "database",
              status: "ok",
              detail: `${dbPath} passes SQLite's integrity check (${mb(statSync(dbPath).size)})`,
            });
          if (options.repair && writable) db.pragma("wal_checkpoint(TRUNCATE)");
        }
      } finally {
        db.close();
      }
    } catch (error) {
      checks.push({
        name: "database",
        status: "fail",
        detail: (storageFault(error, dbPath) ?? (error as Error)).message,
      });
    }
  }

  const temp = temporaryFiles(bucket);
  if (temp.files === 0) checks.push({ name: "temporary files", status: "ok", detail: "none left over" });
  else if (options.repair && writable) {
    const removed = cleanTemporaryFiles(bucket);
    const left = temp.files - removed.files;
    checks.push({
      name: "temporary files",
      status: left ? "warn" : "repaired",
      detail: `removed ${removed.files} (${mb(removed.bytes)})${left ? `; ${left} belong to a genq process still running` : ""}`,
    });
  } else {
    checks.push({
      name: "temporary files",
      status: "warn",
      detail: `${temp.files} in ${join(bucket, ".tmp")} (${mb(temp.bytes)}): \`genq doctor --repair\` removes those of processes that ended`,
    });
  }

  if (intact) checks.push(...(await checkStore(config, options.repair && writable)));
  return checks;
}

/** Documents whose passages are gone from the store, and dead letters; with `repair`, re-chunk the documents. */
async function checkStore(config: LocalConfig, repair: boolean): Promise<DoctorCheck[]> {
  const deps = createLocalDeps(config, { readOnly: !repair });
  try {
    const missing: Array<{ corpus: string; path: string; key: string }> = [];
    for (const corpus of await deps.repo.listCorpora()) {
      for (const d of await deps.repo.listDocuments(corpus.name)) {
        if (d.passagesKey && !(await deps.blobs.head(d.passagesKey)))
          missing.push({ corpus: corpus.name, path: d.path, key: keys.doc(corpus.name, d.path) });
      }
    }
    const out: DoctorCheck[] = [];
    if (!missing.length)
      out.push({ name: "passages", status: "ok", detail: "every chunked document's passages are in the store" });
    else if (repair) {
      const stored = [];
      for (const m of missing) {
        const info = await deps.blobs.head(m.key);
        if (!info) continue;
        stored.push(m);
        await deps.outbox.publish([
          {
            id: `${eventIds.documentUploaded(m.key, `${info.size}`)}:repair:${Date.now()}`,
            type: "document.uploaded",
            corpus: m.corpus,
            detail: { key: m.key, size: info.size },
          },
        ]);
      }
      await drainAll(deps);
      const lost = missing.length - stored.length;
      out.push({
        name: "passages",
        status: lost ? "warn" : "repaired",
        detail: `re-chunked ${stored.length} document(s) from their stored copy${lost ? `; ${lost} have no stored copy: ingest their folder again` : ""}`,
      });
    } else {
      out.push({
        name: "passages",
        status: "warn",
        detail: `${missing.length} document(s) have lost their passages (${missing
          .slice(0, 3)
          .map((m) => printable(`${m.corpus}/${m.path}`))
          .join(
            ", ",
          )}${missing.length > 3 ? ", …" : ""}): \`genq doctor --repair\` or ingesting their folder again rebuilds them`,
      });
    }
    const dead = deps.outbox.deadLetters();
    out.push(
      dead.length
        ? {
            name: "events",
            status: "warn",
            detail: `${dead.length} dead-lettered event(s); \`genq status\` lists them with their reasons`,
          }
        : { name: "events", status: "ok", detail: `${deps.outbox.pendingCount()} pending, none dead-lettered` },
    );
    return out;
  } catch (error) {
    return [{ name: "store", status: "fail", detail: reasonOf(error) }];
  } finally {
    deps.close();
  }
}

/** The checks as lines: `ok`, `warn`, `fail` or `fixed`, then what was found. */
export const formatDoctor = (checks: DoctorCheck[]) =>
  checks
    .map((c) => `${(c.status === "repaired" ? "fixed" : c.status).padEnd(5)} ${c.name.padEnd(16)} ${c.detail}`)
    .join("\n");
