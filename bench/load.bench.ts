/**
 * Load on the examples corpus: `genq serve` in one process, autocannon in another, over loopback, for
 * 30 s (bounded). Prints requests/s, latency percentiles and errors.
 * Run: npm run bench:install && npm run bench:load   (DURATION=30 CONNECTIONS=10 GENQ_SERVE_WORKERS=2)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const genq = join(root, "packages/cli/bin/genq.mjs");
const data = process.env.GENQ_BENCH_DATA ?? mkdtempSync(join(tmpdir(), "genq-bench-load-"));
const key = "bench-load-key";
const port = 18787;
const env = {
  ...process.env,
  GENQ_API_KEY: key,
  GENQ_LOG_LEVEL: "error",
  GENQ_PORT: String(port),
  GENQ_SERVE_WORKERS: process.env.GENQ_SERVE_WORKERS ?? "2",
};

if (!existsSync(join(data, "genq.db"))) {
  const run = spawnSync(
    process.execPath,
    [genq, "run", "--docs", join(root, "examples/postgresql-docs"), "--corpus", "examples", "--data", data],
    { env, encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`genq run failed: ${run.stderr}`);
}
const server = spawn(process.execPath, [genq, "serve", "--data", data], { env, stdio: ["ignore", "pipe", "inherit"] });
await new Promise<void>((resolve, reject) => {
  server.stdout.on("data", (d: Buffer) => d.toString().includes("genq API on") && resolve());
  server.on("exit", (code) => reject(new Error(`server exited ${code}`)));
});
try {
  const client = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(import.meta.dirname, "lib/load-client.ts"),
      `http://127.0.0.1:${port}`,
      key,
      process.env.DURATION ?? "30",
      process.env.CONNECTIONS ?? "10",
    ],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  if (client.status !== 0) throw new Error(client.stderr);
  const r = JSON.parse(client.stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number; p97_5: number; max: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    total: number;
    duration: number;
  };
  console.log(
    `${r.total} requests in ${r.duration.toFixed(1)} s: ${r.requests.average.toFixed(0)} requests/s; latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`,
  );
} finally {
  server.kill("SIGTERM");
}
