import { describe, expect, it } from "vitest";
import { genqAsync, tempDir } from "./helpers.ts";

describe("npm start (genq start)", () => {
  it("runs the shipped examples from nothing to a served, evaluated index, then stops on SIGTERM", async () => {
    const child = genqAsync(["start", "--data", tempDir()], {
      GENQ_PORT: "0",
      GENQ_API_KEY: "start-test-key",
      GENQ_LOG_LEVEL: "silent",
      GENQ_EPOCHS: "1",
    });
    let out = "";
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ctrl-C stops the server.")) resolve();
      });
      void exited.then(() => reject(new Error(`genq start exited early:\n${out}`)));
    });
    expect(out).toMatch(/147 files, 147 documents, \d+ passages, 0 rejected/);
    expect(out).toMatch(/run run-\S+: ready — \S+ nDCG@10 [\d.]+ vs bm25 [\d.]+ on \d+ held-out test queries/);
    expect(out).toContain("report: ");
    const url = /genq on (http:\/\/127\.0\.0\.1:\d+) \(console: /.exec(out)![1]!;
    const res = await fetch(`${url}/v1/corpora/examples/search`, {
      method: "POST",
      headers: { authorization: "Bearer start-test-key", "content-type": "application/json" },
      body: JSON.stringify({ query: "how do I create an index on an expression?", k: 3 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hits: Array<{ documentId: string }> };
    expect(body.hits.map((h) => h.documentId)).toContain("indexes-expressional.html");
    const runId = /curl -s \S+\/v1\/runs\/(\S+)\/report/.exec(out)![1]!;
    const report = await fetch(`${url}/v1/runs/${runId}/report`, {
      headers: { authorization: "Bearer start-test-key", accept: "text/html" },
    });
    expect(await report.text()).toContain("genq evaluation report");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 120_000);
});
