/**
 * `npm start` from nothing: a fresh data folder, the shipped examples, until the API is serving and the
 * report is written. Reports wall time and the peak RSS of the process (sampled from /proc).
 * Run: npm run bench:start
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const data = mkdtempSync(join(tmpdir(), "genq-bench-start-"));
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [join(import.meta.dirname, "../packages/cli/bin/genq.mjs"), "start", "--data", data],
  {
    env: { ...process.env, GENQ_PORT: "18790", GENQ_LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
let peak = 0;
const sampler = setInterval(() => {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
    peak = Math.max(peak, kb);
  } catch {
    // the process is gone
  }
}, 100);
let output = "";
await new Promise<void>((resolve, reject) => {
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
    if (output.includes("Ctrl-C stops the server.")) resolve();
  });
  child.on("exit", (code) => reject(new Error(`genq start exited ${code}:\n${output}`)));
});
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
child.kill("SIGTERM");
console.log(
  output
    .split("\n")
    .filter((l) => /ready|report:|passages/.test(l))
    .join("\n"),
);
console.log(
  `\nnpm start from nothing to serving (report written): ${seconds.toFixed(1)} s; peak RSS ${(peak / 1024).toFixed(0)} MiB`,
);
