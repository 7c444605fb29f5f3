/**
 * How long the serving process's event loop stops during a run (a search arriving then waits that long):
 * `genq run` on the shipped examples in this process, with a 5 ms timer watching the loop; prints the
 * longest pauses per stage. The local runtime runs query generation, indexing and evaluation in the
 * process that serves searches, sliced so that the loop comes back every few milliseconds.
 * Run: npm run bench:run-pauses      (DOCS=<folder or corpus.jsonl> to use another corpus)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../packages/cli/src/config.ts";
import { createLocalDeps } from "../packages/cli/src/local-deps.ts";
import { runPipeline } from "../packages/cli/src/run-command.ts";

const data = mkdtempSync(join(tmpdir(), "genq-bench-pauses-"));
const deps = createLocalDeps(loadConfig({ ...process.env, GENQ_LOG_LEVEL: "silent" }, { data }));
let stage = "ingesting";
let last = performance.now();
const pauses: Record<string, number[]> = {};
const watch = setInterval(() => {
  const now = performance.now();
  (pauses[stage] ??= []).push(now - last - 5);
  last = now;
}, 5);
const docs = process.env.DOCS ?? "examples/postgresql-docs";
const outcome = await runPipeline(deps, { docs, corpus: "pauses", quiet: true }, (line) => {
  const m = line.match(/\s(generating|training|deploying|indexing|evaluating|promoting|ready)$/);
  if (m) stage = m[1]!;
});
clearInterval(watch);
deps.close();
rmSync(data, { recursive: true, force: true });
console.log(`run ${outcome.run.state}; longest event-loop pauses per stage (ms), beyond the 5 ms timer:`);
console.log("| stage | longest | 2nd | 3rd | p99 of 5 ms ticks |\n|---|---|---|---|---|");
for (const [s, list] of Object.entries(pauses)) {
  const sorted = [...list].sort((a, b) => b - a);
  const p99 = sorted[Math.floor(sorted.length * 0.01)] ?? 0;
  console.log(
    `| ${s} | ${sorted
      .slice(0, 3)
      .map((x) => Math.max(0, x).toFixed(0))
      .concat(["", "", ""])
      .slice(0, 3)
      .join(" | ")} | ${Math.max(0, p99).toFixed(0)} |`,
  );
}
