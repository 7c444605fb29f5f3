/**
 * `genq run` at scale: a 20,000-passage corpus (realistic text, lib/synthetic-corpus.ts) as a BEIR
 * corpus.jsonl, the whole pipeline in a child process; wall time and peak RSS (VmHWM).
 * Run: npm run bench:scale   (PASSAGES=20000)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticPassages } from "./lib/synthetic-corpus.ts";

const n = Number(process.env.PASSAGES ?? 20000);
const dir = mkdtempSync(join(tmpdir(), "genq-bench-scale-"));
const corpus = join(dir, "corpus.jsonl");
writeFileSync(
  corpus,
  syntheticPassages(n)
    .map((p) => JSON.stringify({ _id: p.id, title: p.title, text: p.text }))
    .join("\n"),
);
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [
    join(import.meta.dirname, "../packages/cli/bin/genq.mjs"),
    "run",
    "--docs",
    corpus,
    "--corpus",
    "scale",
    "--data",
    join(dir, "data"),
  ],
  {
    env: { ...process.env, GENQ_LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
let peak = 0;
const sampler = setInterval(() => {
  try {
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0));
  } catch {
    // gone
  }
}, 200);
child.stdout.on("data", (d: Buffer) => process.stdout.write(d));
const code = await new Promise<number | null>((r) => child.on("exit", r));
clearInterval(sampler);
console.log(
  `\ngenq run on ${n} passages: exit ${code}, ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${(peak / 1024).toFixed(0)} MiB`,
);
