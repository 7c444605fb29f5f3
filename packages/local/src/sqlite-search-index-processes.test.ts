import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./sqlite.ts";
import { createSqliteSearchIndex } from "./sqlite-search-index.ts";

/**
 * Several processes share one data folder (`genq serve` and a `genq run`, or two `genq run`s following
 * one run): their writes to the same index version must wait for each other, never fail.
 */

const here = import.meta.dirname;

/** A process that writes the same passages into version v1 over and over (each write reads, then writes). */
const writer = (path: string, writes: number) => `
import { openDatabase } from ${JSON.stringify(join(here, "sqlite.ts"))};
import { createSqliteSearchIndex } from ${JSON.stringify(join(here, "sqlite-search-index.ts"))};
const index = createSqliteSearchIndex(openDatabase(${JSON.stringify(path)}));
for (let i = 0; i < ${writes}; i++) {
  const id = "p" + (i % 20);
  await index.upsert("v1", [{
    passage: { id, corpus: "c", documentId: id + ".md", sourcePath: id + ".md", title: "", text: "write " + i, ordinal: 0 },
    vector: Float32Array.from([1, 0, 0]),
  }]);
}
`;

function run(script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: here,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("SQLite search index shared by processes", () => {
  it("two processes writing the same version at once both succeed, and it holds each passage once", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "genq-index-")), "genq.db");
    const db = openDatabase(path);
    const index = createSqliteSearchIndex(db);
    await index.createVersion({ corpus: "c", version: "v1", dimensions: 3, tenant: "t" });
    const results = await Promise.all([run(writer(path, 400)), run(writer(path, 400))]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect((await index.counts("v1")).passages).toBe(20);
    db.close();
  }, 60_000);
});
