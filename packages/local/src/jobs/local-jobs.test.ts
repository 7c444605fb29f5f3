import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { silentLogger, type EventPublisher } from "@genq/core";
import { openDatabase } from "../sqlite.ts";
import { createSqliteJobLeases } from "./job-leases.ts";
import { createLocalJobs } from "./local-jobs.ts";

/** Two processes' worth of job runners over one data folder's database (each with its own connection). */
function sharedFolder() {
  const path = join(mkdtempSync(join(tmpdir(), "genq-jobs-")), "genq.db");
  const events: EventPublisher = { publish: async () => [] };
  const runner = (ttlMs?: number) => {
    const db = openDatabase(path);
    const leases = createSqliteJobLeases(db, { ttlMs });
    return { db, leases, jobs: createLocalJobs({ events, logger: silentLogger, leases }) };
  };
  return { path, runner };
}

const job = { runId: "run-1", corpus: "c", stage: "indexing" as const };

describe("local jobs shared by processes", () => {
  it("a stage's job another process runs is left to it, and runs here once that process has finished it", async () => {
    const { runner } = sharedFolder();
    const a = runner();
    const b = runner();
    let finish!: () => void;
    const ran: string[] = [];
    await a.jobs.run(job, () => new Promise<void>((r) => (finish = r)).then(() => void ran.push("a")));
    await b.jobs.run(job, async () => void ran.push("b"));
    await b.jobs.idle();
    expect(ran).toEqual([]);
    expect(b.jobs.isRunning(job)).toBe(false);
    finish();
    await a.jobs.idle();
    await b.jobs.run(job, async () => void ran.push("b"));
    await b.jobs.idle();
    expect(ran).toEqual(["a", "b"]);
  });

  it("takes over the job of a process that died (at once) or stopped renewing (once its lease expired)", async () => {
    const { path, runner } = sharedFolder();
    const b = runner();
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const lease = openDatabase(path).prepare(
      "INSERT OR REPLACE INTO job_leases (job, owner, host, pid, started, expires_at) VALUES ('run-1-indexing', 'other', ?, ?, ?, ?)",
    );
    const started = Math.round(Date.now() - process.uptime() * 1000);
    lease.run(hostname(), gone, 0, Date.now() + 60_000);
    expect(b.leases.acquire("run-1-indexing")).toBe(true);
    b.leases.release("run-1-indexing");

    lease.run(hostname(), process.pid, started, Date.now() + 60_000);
    expect(b.leases.acquire("run-1-indexing")).toBe(false);
    lease.run(hostname(), process.pid, started, Date.now() - 1);
    expect(b.leases.acquire("run-1-indexing")).toBe(true);
    b.leases.release("run-1-indexing");

    // A former process that had this process's id (a container started again): its lease is taken over at once.
    lease.run(hostname(), process.pid, started - 60_000, Date.now() + 60_000);
    expect(b.leases.acquire("run-1-indexing")).toBe(true);
  });

  it("a holder renews its leases while its job runs, and gives them back when it closes", async () => {
    const { runner } = sharedFolder();
    const a = runner(60);
    const b = runner(60);
    expect(a.leases.acquire("run-1-training")).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.leases.acquire("run-1-training")).toBe(false);
    a.leases.close();
    expect(b.leases.acquire("run-1-training")).toBe(true);
    a.db.close();
  });

  it("a renewal or a release that finds the database busy throws nowhere: the lease is renewed at the next beat and given back once the database is free", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const { path, runner } = sharedFolder();
    const a = runner(300);
    // Another process's long write (a large index version dropped, say) outlasts the busy timeout.
    a.db.pragma("busy_timeout = 10");
    const writer = openDatabase(path);
    expect(a.leases.acquire("run-1-training")).toBe(true);
    writer.exec("BEGIN IMMEDIATE");
    expect(() => vi.advanceTimersByTime(100)).not.toThrow();
    expect(() => a.leases.release("run-1-training")).not.toThrow();
    writer.exec("COMMIT");
    vi.advanceTimersByTime(100);
    expect(runner().leases.acquire("run-1-training")).toBe(true);
  });
});

afterEach(() => void vi.useRealTimers());
