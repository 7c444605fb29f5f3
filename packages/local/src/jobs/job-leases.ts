import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "@genq/core";
import type { SqliteDatabase } from "../sqlite.ts";

/**
 * Which process runs a stage's job, when several share one data folder (`genq serve` beside a
 * `genq run`, two `genq run`s following one run): the local stand-in for SageMaker refusing a second job
 * of the same name. `acquire` takes a job's lease unless another live holder has it; a holder renews
 * its leases while it lives, so the lease of a process that died is taken over once it expires — at once
 * when its process is gone from this machine. `close` gives back every lease the holder has.
 */
export interface JobLeases {
  acquire(job: string): boolean;
  release(job: string): void;
  close(): void;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS job_leases (
  job TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL
)`;

/**
 * Job leases in the data folder's SQLite database; `ttlMs` is how long a lease outlives its last
 * renewal, `owner` names the holder (so another thread of the process can give back the leases of a
 * thread that died: releaseJobLeases). Renewing and giving back never throw: a database that another
 * process keeps busy past its timeout (or a full disk) is tried again at the next renewal, and a lease
 * that could not be given back is no longer renewed, so it expires if the database stays unusable.
 */
export function createSqliteJobLeases(
  db: SqliteDatabase,
  options: { ttlMs?: number; owner?: string; logger?: Pick<Logger, "warn"> } = {},
): JobLeases {
  db.exec(SCHEMA);
  const ttlMs = options.ttlMs ?? 30_000;
  const owner = options.owner ?? randomUUID();
  const host = hostname();
  const held = new Set<string>();
  // Given back here but not yet in the database (it was busy): dropped at the next beat.
  const unreleased = new Set<string>();
  const find = db.prepare<[string], { owner: string; host: string; pid: number; started: number; expires_at: number }>(
    "SELECT owner, host, pid, started, expires_at FROM job_leases WHERE job = ?",
  );
  const take = db.prepare(
    "INSERT INTO job_leases (job, owner, host, pid, started, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid, started = excluded.started, expires_at = excluded.expires_at",
  );
  const renew = db.prepare(
    "UPDATE job_leases SET expires_at = ? WHERE owner = ? AND job IN (SELECT value FROM json_each(?))",
  );
  const drop = db.prepare("DELETE FROM job_leases WHERE job = ? AND owner = ?");
  const dropAll = db.prepare("DELETE FROM job_leases WHERE owner = ?");
  const acquire = db.transaction((job: string): boolean => {
    const now = Date.now();
    const lease = find.get(job);
    const free = !lease || lease.owner === owner || lease.expires_at < now || (lease.host === host && !alive(lease));
    if (free) take.run(job, owner, host, process.pid, STARTED, now + ttlMs);
    return free;
  });
  /** Run a write that may find the database unusable; false (logged) when it did. */
  const attempt = (what: string, write: () => void): boolean => {
    try {
      write();
      return true;
    } catch (error) {
      options.logger?.warn(`could not ${what}; trying again shortly`, {
        reason: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const beat = () => {
    if (!db.open || (!held.size && !unreleased.size)) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    for (const job of [...unreleased])
      if (attempt("give back a job lease", () => drop.run(job, owner))) unreleased.delete(job);
    if (held.size) attempt("renew job leases", () => renew.run(Date.now() + ttlMs, owner, JSON.stringify([...held])));
  };
  return {
    acquire(job) {
      if (!acquire.immediate(job)) return false;
      held.add(job);
      unreleased.delete(job);
      timer ??= setInterval(beat, Math.max(1, Math.floor(ttlMs / 3))).unref();
      return true;
    },
    release(job) {
      held.delete(job);
      if (db.open && !attempt("give back a job lease", () => drop.run(job, owner))) unreleased.add(job);
    },
    close() {
      held.clear();
      unreleased.clear();
      clearInterval(timer);
      timer = undefined;
      if (db.open) attempt("give back job leases", () => dropAll.run(owner));
    },
  };
}

/** Give back every lease a holder has (one that can no longer do so itself: a thread that died). */
export function releaseJobLeases(db: SqliteDatabase, owner: string): void {
  db.exec(SCHEMA);
  db.prepare("DELETE FROM job_leases WHERE owner = ?").run(owner);
}

/** When this process started (ms): a lease with this process's id but another start is a former process's. */
const STARTED = Math.round(Date.now() - process.uptime() * 1000);

/**
 * Whether the process holding a lease still runs on this machine (one of another user counts as running).
 * A process started again under the same id (a container's first process) is told apart by its start.
 */
function alive(lease: { pid: number; started: number }): boolean {
  if (lease.pid === process.pid) return Math.abs(lease.started - STARTED) < 1000;
  try {
    process.kill(lease.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
