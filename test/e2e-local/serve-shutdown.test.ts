import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { copyFixtures, genq, genqAsync, tempDir } from "./helpers.ts";

/** Process ids of the children of `pid` (the cluster's workers). */
const childrenOf = (pid: number): number[] =>
  spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("genq serve with GENQ_SERVE_WORKERS=2", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s stops accepting, finishes what is in flight (bounded), stops its workers and exits 0",
    async (signal) => {
      const data = tempDir();
      expect(
        genq(["ingest", copyFixtures("good"), "--corpus", "good", "--data", data], { GENQ_LOG_LEVEL: "silent" }).code,
      ).toBe(0);
      const child = genqAsync(["serve", "--port", "0", "--data", data], {
        GENQ_SERVE_WORKERS: "2",
        GENQ_PORT: "0",
        GENQ_API_KEY: "shutdown-key",
        GENQ_LOG_LEVEL: "silent",
        GENQ_SHUTDOWN_SECONDS: "1",
      });
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      let out = "";
      child.stdout!.on("data", (d: Buffer) => void (out += d.toString()));
      while (!out.includes("2 processes")) {
        if (child.exitCode !== null) throw new Error(`serve ended early: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const workers = childrenOf(child.pid!);
      expect(workers).toHaveLength(2);
      child.kill(signal);
      const started = Date.now();
      expect(await exited).toBe(0);
      // One second of grace for requests in flight, then the workers are gone and so is the primary.
      expect(Date.now() - started).toBeLessThan(8000);
      for (const w of workers) expect(alive(w), `worker ${w}`).toBe(false);
    },
    60_000,
  );

  it("with one process: an open event stream is closed after the grace period, the server exits 0 and refuses new connections", async () => {
    const data = tempDir();
    expect(
      genq(["ingest", copyFixtures("good"), "--corpus", "good", "--data", data], { GENQ_LOG_LEVEL: "silent" }).code,
    ).toBe(0);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = genqAsync(["serve", "--port", String(port), "--data", data], {
      GENQ_API_KEY: "shutdown-key",
      GENQ_LOG_LEVEL: "silent",
      GENQ_SHUTDOWN_SECONDS: "1",
    });
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    let out = "";
    child.stdout!.on("data", (d: Buffer) => void (out += d.toString()));
    while (!out.includes("genq API on")) {
      if (child.exitCode !== null) throw new Error(`serve ended early: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const headers = { authorization: "Bearer shutdown-key" };
    const stream = await fetch(`http://127.0.0.1:${port}/v1/events`, { headers });
    const reading = (async () => {
      const reader = stream.body!.getReader();
      for (;;) if ((await reader.read()).done) return "closed";
    })().catch(() => "closed");
    child.kill("SIGTERM");
    const started = Date.now();
    expect(await reading).toBe("closed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 60_000);
});
