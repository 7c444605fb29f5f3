import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { cpSync, readdirSync } from "node:fs";
import { ROOT, genq, genqAsync, tempDir } from "./helpers.ts";

const FILES = 2000;

function makeFolder(): string {
  const dir = tempDir();
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `part-${i % 20}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, `note-${i}.md`),
      `# Note ${i}\n\nThis is note number ${i}. It talks about topic ${i % 37} and nothing else.\n`,
    );
  }
  return dir;
}

function count(dbPath: string, sql: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Start an ingest and SIGKILL it once `sql` counts past `threshold`. Returns whether it was killed. */
async function killWhen(args: string[], dbPath: string, sql: string, threshold: number): Promise<boolean> {
  const child = genqAsync(args, { GENQ_LOG_LEVEL: "silent" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    if (count(dbPath, sql) > threshold) {
      child.kill("SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return (await exited) === "SIGKILL";
}

describe("kill -9 during ingestion", () => {
  it("ends, after re-running, with every document ingested exactly once", async () => {
    const src = makeFolder();
    const data = tempDir();
    const db = join(data, "genq.db");
    const args = ["ingest", src, "--corpus", "notes", "--data", data];

    const killedWhileCopying = await killWhen(
      args,
      db,
      "SELECT count(*) AS n FROM outbox WHERE type = 'document.uploaded'",
      FILES / 4,
    );
    const killedWhileChunking = await killWhen(
      args,
      db,
      "SELECT count(*) AS n FROM records WHERE kind = 'document'",
      FILES / 4,
    );
    expect(killedWhileCopying || killedWhileChunking).toBe(true);

    const last = genq(args, { GENQ_LOG_LEVEL: "silent" });
    expect(last.code).toBe(0);
    expect(last.stdout).toContain(`ingested ${FILES} files into notes: ${FILES} documents`);
    expect(count(db, "SELECT count(*) AS n FROM records WHERE kind = 'document'")).toBe(FILES);
    expect(
      count(
        db,
        "SELECT count(*) AS n FROM records WHERE kind = 'document' AND json_extract(body, '$.status') = 'chunked'",
      ),
    ).toBe(FILES);
    expect(count(db, "SELECT count(*) AS n FROM outbox WHERE type = 'document.uploaded'")).toBe(FILES);
    expect(count(db, "SELECT count(*) AS n FROM outbox WHERE type = 'document.chunked'")).toBe(FILES);
    expect(count(db, "SELECT count(*) AS n FROM outbox WHERE status != 'done'")).toBe(0);
    expect(count(db, "SELECT count(*) AS n FROM dead_letters")).toBe(0);
  }, 180_000);
});

describe("kill -9 during a run", () => {
  it("the next genq run follows the unfinished run to its end, exactly once", async () => {
    const src = tempDir();
    const examples = join(ROOT, "examples/postgresql-docs");
    for (const f of readdirSync(examples).filter((f) => f.startsWith("indexes-")))
      cpSync(join(examples, f), join(src, f));
    const data = tempDir();
    const db = join(data, "genq.db");
    const args = ["run", "--docs", src, "--corpus", "pg", "--data", data];
    const env = { GENQ_LOG_LEVEL: "silent", GENQ_EPOCHS: "1" };
    const runIn = (state: string) =>
      `SELECT count(*) AS n FROM records WHERE kind = 'run' AND json_extract(body, '$.state') = '${state}'`;
    const child = genqAsync(args, env);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    let done = false;
    void exited.then(() => (done = true));
    while (!done && count(db, runIn("training")) === 0) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const again = genq(args, env);
    expect(again.stdout).toMatch(/following run run-\S+, already in progress/);
    expect(again.code).toBe(0);
    expect(count(db, "SELECT count(*) AS n FROM records WHERE kind = 'run'")).toBe(1);
    expect(count(db, runIn("ready"))).toBe(1);
    expect(count(db, "SELECT count(*) AS n FROM outbox WHERE type = 'run.succeeded'")).toBe(1);
    expect(count(db, "SELECT count(*) AS n FROM dead_letters")).toBe(0);
  }, 180_000);
});
